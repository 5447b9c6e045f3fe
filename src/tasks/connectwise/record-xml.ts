// One exported record as XML, with the full entity its references gained (`company.record`) written
// once per entity and reused. 100,000 invoices name a few hundred companies, sites and terms between
// them; rendering the same company for every invoice that names it was most of the export's time.
// A reference's target is written as the API gave it (export-shapes.ts: references are not shaped),
// so its XML depends only on its depth, which is why one rendering can serve every record.
import { randomBytes } from 'node:crypto';
import { refsAt, type ReferenceSpec } from '../../connectors/connectwise/references.js';
import { isObject } from '../../json/is-object.js';
import { valueToUtf8Xml, type Utf8Xml, type XmlShape } from '../../xml/json-to-xml.js';
import type { AppendedMember } from '../../xml/json-transcoder.js';

type Json = Record<string, unknown>;

/** The shape `path` leads to from `shape` ('*' = the items of an array, which share their array's shape). */
function shapeAt(shape: XmlShape | undefined, path: readonly string[]): XmlShape | undefined {
  let at = shape;
  for (const step of path) if (step !== '*') at = at?.children[step];
  return at;
}

export class RecordXml {
  /** The paths, from the record, of the specs whose target is written unshaped (one rendering per depth fits every record). */
  private readonly reusable: (readonly string[])[];
  /** The same paths by the record's property they start at, from inside it. */
  private readonly reusableIn = new Map<string, (readonly string[])[]>();
  /** The properties that only such specs change (no match, children, shaped target or idField among them). */
  private readonly onlyReusable: ReadonlySet<string>;
  /** Each target's `<record>` by depth; a target lives as long as the resolver's cache keeps it. */
  private readonly rendered = new WeakMap<Json, AppendedMember[]>();
  /** Stands in for a target while its record is rendered; random, so no data can look like it. */
  private readonly placeholder = `dw-target-${randomBytes(8).toString('hex')}-`;
  private readonly placeholderLine = new RegExp(`^( *)<record>${this.placeholder}(\\d+)</record>\\n`, 'gm');

  constructor(
    private readonly name: string,
    private readonly shape: XmlShape | undefined,
    specs: readonly ReferenceSpec[],
  ) {
    this.reusable = specs.filter((spec) => !spec.match && !spec.children && shapeAt(shape, [...spec.path, 'record']) === undefined).map((spec) => spec.path);
    for (const [first, ...rest] of this.reusable) if (first !== undefined) this.reusableIn.set(first, [...(this.reusableIn.get(first) ?? []), rest]);
    // A reference made from an idField may be absent from the record's bytes: it is written whole.
    const changedOtherwise = new Set(specs.filter((spec) => !this.reusable.includes(spec.path) || spec.idField !== undefined).map((spec) => spec.path[0]));
    this.onlyReusable = new Set([...this.reusableIn.keys()].filter((key) => !changedOtherwise.has(key)));
  }

  /** `record` as the element `name` at `depth`, exactly as valueToUtf8Xml writes it. */
  render(record: Json, depth: number): Utf8Xml {
    return this.renderWithTargets(this.name, record, depth, this.shape, this.reusable);
  }

  /**
   * What a record's transcoder writes for its property `key` (json-transcoder.ts Overrides), the record
   * at `depth`, `value` the property resolved: nothing when the property is a reference that gained no
   * target (its bytes say it all); the `record` it gained, from the target's one rendering; else the
   * whole property as render writes it inside the record.
   */
  override(key: string, value: unknown, depth: number): Utf8Xml | AppendedMember | undefined {
    const paths = this.reusableIn.get(key) ?? [];
    if (paths.length === 1 && paths[0]?.length === 0 && isObject(value) && this.onlyReusable.has(key)) {
      const target = value['record'];
      return isObject(target) ? this.targetXml(target, depth + 2) : undefined;
    }
    return this.renderWithTargets(key, value, depth + 1, this.shape?.children[key], paths);
  }

  /** valueToUtf8Xml of `value`, with the targets at `paths` written from their one rendering per depth. */
  private renderWithTargets(name: string, value: unknown, depth: number, shape: XmlShape | undefined, paths: readonly (readonly string[])[]): Utf8Xml {
    const targets: Json[] = [];
    const owners: Json[] = [];
    for (const path of paths) {
      for (const ref of refsAt(value, path)) {
        const target = ref['record'];
        if (!isObject(target)) continue;
        ref['record'] = `${this.placeholder}${targets.length}`;
        targets.push(target);
        owners.push(ref);
      }
    }
    const xml = valueToUtf8Xml(name, value, depth, shape);
    owners.forEach((ref, i) => (ref['record'] = targets[i]));
    if (targets.length === 0) return xml;
    // The placeholder lines are ASCII, so what replaces them leaves the rest as valueToUtf8Xml wrote it.
    return xml.replace(this.placeholderLine, (_line, indent: string, index: string) => this.targetXml(targets[Number(index)] as Json, indent.length / 2).xml) as Utf8Xml;
  }

  private targetXml(target: Json, depth: number): AppendedMember {
    let byDepth = this.rendered.get(target);
    if (!byDepth) this.rendered.set(target, (byDepth = []));
    return (byDepth[depth] ??= { key: 'record', xml: valueToUtf8Xml('record', target, depth) });
  }
}
