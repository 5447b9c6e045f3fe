// One exported record as XML, with the full entity its references gained (`company.record`) written
// once per entity and reused. 100,000 invoices name a few hundred companies, sites and terms between
// them; rendering the same company for every invoice that names it was most of the export's time.
// A reference's target is written as the API gave it (export-shapes.ts: references are not shaped),
// so its XML depends only on its depth, which is why one rendering can serve every record.
import { randomBytes } from 'node:crypto';
import { refsAt, type ReferenceSpec } from '../../connectors/connectwise/references.js';
import { isObject } from '../../json/is-object.js';
import { valueToUtf8Xml, type Utf8Xml, type XmlShape } from '../../xml/json-to-xml.js';

type Json = Record<string, unknown>;

/** The shape `path` leads to from `shape` ('*' = the items of an array, which share their array's shape). */
function shapeAt(shape: XmlShape | undefined, path: readonly string[]): XmlShape | undefined {
  let at = shape;
  for (const step of path) if (step !== '*') at = at?.children[step];
  return at;
}

export class RecordXml {
  /** The specs whose target is written unshaped, so one rendering per depth fits every record. */
  private readonly reusable: ReferenceSpec[];
  /** Each target's XML by depth; a target lives as long as the resolver's cache keeps it. */
  private readonly rendered = new WeakMap<Json, Utf8Xml[]>();
  /** Stands in for a target while its record is rendered; random, so no data can look like it. */
  private readonly placeholder = `dw-target-${randomBytes(8).toString('hex')}-`;
  private readonly placeholderLine = new RegExp(`^( *)<record>${this.placeholder}(\\d+)</record>\\n`, 'gm');

  constructor(
    private readonly name: string,
    private readonly shape: XmlShape | undefined,
    specs: readonly ReferenceSpec[],
  ) {
    this.reusable = specs.filter((spec) => !spec.match && !spec.children && shapeAt(shape, [...spec.path, 'record']) === undefined);
  }

  /** `record` as the element `name` at `depth`, exactly as valueToUtf8Xml writes it. */
  render(record: Json, depth: number): Utf8Xml {
    const targets: Json[] = [];
    const owners: Json[] = [];
    for (const spec of this.reusable) {
      for (const ref of refsAt(record, spec.path)) {
        const target = ref['record'];
        if (!isObject(target)) continue;
        ref['record'] = `${this.placeholder}${targets.length}`;
        targets.push(target);
        owners.push(ref);
      }
    }
    const xml = valueToUtf8Xml(this.name, record, depth, this.shape);
    owners.forEach((ref, i) => (ref['record'] = targets[i]));
    if (targets.length === 0) return xml;
    // The placeholder lines are ASCII, so what replaces them leaves the rest as valueToUtf8Xml wrote it.
    return xml.replace(this.placeholderLine, (_line, indent: string, index: string) => this.targetXml(targets[Number(index)] as Json, indent.length / 2)) as Utf8Xml;
  }

  private targetXml(target: Json, depth: number): Utf8Xml {
    let byDepth = this.rendered.get(target);
    if (!byDepth) this.rendered.set(target, (byDepth = []));
    return (byDepth[depth] ??= valueToUtf8Xml('record', target, depth));
  }
}
