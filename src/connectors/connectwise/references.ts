// "References To Fetch": the small reference objects in exported records (`company: {id, name}`)
// gain a `record` with the full entity. Lookups are batched (`id in (…)`, up to the references page
// size per request), and each distinct id is fetched once per run; a target that does not exist is
// a warning on the record, not a failed export. Two more kinds: a lookup by another field than id
// (`invoiceNumber in ("119","120")`) for records that carry only a key, attached as a new element,
// and a child collection under a reference (`/finance/agreements/{id}/additions`), fetched once per
// parent and attached as a list.
import { eachLimited } from '../../async/limiter.js';
import type { Logger } from '../../log.js';
import { isDropwiseError, type DropwiseError } from '../../errors.js';
import type { ConnectWiseClient } from './client.js';
import { isObject } from '../../json/is-object.js';

type Json = Record<string, unknown>;

export interface ReferenceSpec {
  /** As written in the setting: 'company', 'transaction/detail/detailItem/currency'. */
  name: string;
  /** JSON path from the record to the reference object; '*' = every element of an array. */
  path: string[];
  /** '/company/companies' — batched lookups `conditions=id in (1,2,3)&pageSize=N`. */
  endpoint: string;
  /** Targets nested under a parent (company sites: `/company/companies/{companyId}/sites`). */
  parentEndpoint?: (ref: Json, record: Json) => string | undefined;
  /**
   * The object at `path` carries a key, not a reference: the target is looked up by `field`
   * (`field in ("k1","k2")`) and attached to that object as `attachAs: {id, identifier: key, record}`.
   */
  match?: { field: string; key: (at: Json) => string | undefined; attachAs: string };
  /**
   * The reference at `path` owns a child collection at `endpoint` ('{id}' = the reference's id),
   * fetched whole once per parent and attached to the reference as `attachAs: [items]`.
   */
  children?: { attachAs: string };
  /**
   * Older shapes give some references as a bare id beside them (2022.1 Invoice `locationId` for
   * 2025.1's `location`): where the reference is absent, it is made from this field as `{id}`.
   */
  idField?: string;
  /** Other properties of the record that `parentEndpoint` reads. */
  recordFields?: string[];
}

export interface ReferenceWarning {
  recordIndex: number;
  reference: string;
  id: number | string;
  message: string;
}

export interface ReferenceResolverOptions {
  pageSize: number;
  /** Entities (and known misses) kept between windows, least recently used dropped first; default REFERENCE_CACHE_SIZE. */
  cacheSize?: number;
  log: Logger;
  signal?: AbortSignal;
  /** Lookups sent at the same time (different endpoints or chunks). Default 4. */
  concurrency?: number;
}

/**
 * ConnectWise asks to keep URLs under about 2,000 characters (API-NOTES §2.1), and IIS in front of
 * it refuses a query string over 2,048 by default, so one lookup's `id in (…)` list is also capped
 * by its length as sent: URL-encoded, where each `,` `(` `"` takes three characters. At the default
 * page size of 100 this never binds.
 */
export const MAX_LOOKUP_CONDITION_ENCODED_CHARS = 1800;

/** Fetched entities kept between windows by default: a long export holds a bounded cache, not every target it met. */
export const REFERENCE_CACHE_SIZE = 5000;

/** One reference object found in a window of records. */
interface Occurrence {
  recordIndex: number;
  spec: ReferenceSpec;
  ref: Json;
  id: number | string;
  endpoint: string | undefined;
  /** What one lookup batches over: the endpoint and the field compared (a child collection stands alone). */
  group: string;
  /** The cache key of this occurrence's target. */
  key: string;
}

/** Entities by key; a child collection's target is its list of items. */
type Target = Json | Json[] | null;

/** A child collection's whole list comes in pages of this size (ConnectWise's largest). */
const CHILDREN_PAGE_SIZE = 1000;


/** The reference objects at `path` in `value`; '*' walks every element of an array. */
export function refsAt(value: unknown, path: readonly string[], from = 0): Json[] {
  if (from === path.length) return isObject(value) ? [value] : [];
  const step = path[from] as string;
  if (step === '*') return Array.isArray(value) ? value.flatMap((v) => refsAt(v, path, from + 1)) : [];
  return isObject(value) ? refsAt(value[step], path, from + 1) : [];
}

/**
 * The properties of a record that resolving `specs` reads and changes: each path's first step, the
 * `idField` beside a reference of the record itself, and the `recordFields`. A caller may hold just
 * these of each record (a record export holds the rest as bytes). Throws for a spec whose path does
 * not start at a property (the record itself, or its items).
 */
export function recordProperties(specs: readonly ReferenceSpec[]): string[] {
  const names = new Set<string>();
  for (const spec of specs) {
    const [first] = spec.path;
    if (first === undefined || first === '*') throw new Error(`reference ${spec.name} does not start at a property of the record`);
    names.add(first);
    if (spec.idField !== undefined && spec.path.length === 1) names.add(spec.idField);
    for (const name of spec.recordFields ?? []) names.add(name);
  }
  return [...names];
}

/** Makes the reference at `path` from its owner's `idField` where the owner has a number there and no reference. */
function referencesFromIds(record: Json, path: readonly string[], idField: string): void {
  const name = path[path.length - 1];
  if (name === undefined) return;
  for (const owner of refsAt(record, path.slice(0, -1))) {
    const id = owner[idField];
    if (owner[name] === undefined && typeof id === 'number') owner[name] = { id };
  }
}

function keyLiteral(id: number | string): string {
  return typeof id === 'number' ? String(id) : `"${id.replace(/["\\]/g, '\\$&')}"`;
}

/** The length of `text` as a query parameter value (URLSearchParams' form encoding). */
export function encodedLength(text: string): number {
  return new URLSearchParams({ q: text }).toString().length - 2;
}

/** The `conditions` of one lookup. */
export function lookupCondition(field: string, keys: readonly (number | string)[]): string {
  return `${field} in (${keys.map(keyLiteral).join(',')})`;
}

/** Splits keys into lookups of at most `pageSize` keys and MAX_LOOKUP_CONDITION_ENCODED_CHARS characters as sent. */
export function lookupChunks(ids: readonly (number | string)[], pageSize: number, field = 'id'): (number | string)[][] {
  const chunks: (number | string)[][] = [];
  let chunk: (number | string)[] = [];
  const empty = encodedLength(lookupCondition(field, []));
  const comma = encodedLength(',');
  let chars = empty;
  for (const id of ids) {
    const cost = encodedLength(keyLiteral(id)) + (chunk.length > 0 ? comma : 0);
    if (chunk.length > 0 && (chunk.length >= pageSize || chars + cost > MAX_LOOKUP_CONDITION_ENCODED_CHARS)) {
      chunks.push(chunk);
      chunk = [];
      chars = empty;
    }
    if (chunk.length === 0) chars = empty + encodedLength(keyLiteral(id));
    else chars += cost;
    chunk.push(id);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** What the records held at one spec's path, over every window resolved. */
export interface PathTally {
  /** Reference objects found at the path. */
  references: number;
  /** The JSON type of a value found there that is not a reference (a string `shipContact`), if any. */
  otherType?: string;
}

/** The values at `path` in `value` that are neither objects nor absent, by JSON type. */
function otherTypeAt(value: unknown, path: readonly string[], from = 0): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (from === path.length) return isObject(value) ? undefined : Array.isArray(value) ? 'array' : typeof value;
  const step = path[from] as string;
  if (step === '*') return Array.isArray(value) ? value.map((v) => otherTypeAt(v, path, from + 1)).find((t) => t !== undefined) : undefined;
  return isObject(value) ? otherTypeAt(value[step], path, from + 1) : undefined;
}

export class ReferenceResolver {
  readonly stats = { requests: 0, fetched: 0, cacheHits: 0 };
  /** Per spec name, what its path held in the records resolved (see PathTally). */
  readonly paths = new Map<string, PathTally>();
  /** Cache key → the target, or null when ConnectWise has no such record. Insertion order = LRU order. */
  private readonly cache = new Map<string, Target>();
  private readonly warnedMissing = new Set<string>();

  constructor(
    private readonly client: ConnectWiseClient,
    private readonly options: ReferenceResolverOptions,
  ) {}

  /**
   * Adds `record` (the full entity) to every reference the specs name in `records`, after the
   * reference's own keys (or the new element of a `match`, or the list of a `children` spec).
   * Returns a warning for each reference whose target does not exist.
   */
  async resolve(records: Json[], specs: ReferenceSpec[]): Promise<ReferenceWarning[]> {
    const occurrences = this.find(records, specs, true);
    const targets = new Map<string, Target>();
    const wanted = new Map<string, { first: Occurrence; ids: Set<number | string> }>();
    for (const o of occurrences) {
      if (o.endpoint === undefined || targets.has(o.key)) continue;
      const cached = this.fromCache(o.key);
      if (cached !== undefined) {
        this.stats.cacheHits++;
        targets.set(o.key, cached);
        continue;
      }
      let group = wanted.get(o.group);
      if (!group) wanted.set(o.group, (group = { first: o, ids: new Set() }));
      group.ids.add(o.id);
    }
    const lookups = [...wanted.values()].flatMap(({ first, ids }) =>
      first.spec.children ? [{ first, chunk: [first.id] }] : lookupChunks([...ids], this.options.pageSize, first.spec.match?.field).map((chunk) => ({ first, chunk })),
    );
    await eachLimited(lookups, this.options.concurrency ?? 4, async ({ first, chunk }) => {
      const endpoint = first.endpoint as string;
      if (first.spec.children) {
        const items = await this.children(endpoint);
        targets.set(first.key, items);
        this.remember(first.key, items);
        return;
      }
      const field = first.spec.match?.field ?? 'id';
      const found = await this.lookup(endpoint, field, chunk);
      for (const id of chunk) {
        const key = targetKey(endpoint, field, id);
        const entity = found.get(String(id)) ?? null;
        targets.set(key, entity);
        this.remember(key, entity);
      }
    });
    return this.attach(occurrences, targets);
  }

  /**
   * The most keys any one lookup group would need fetched to resolve `records` now. Callers that
   * hold a growing window of records resolve once this reaches the page size, so lookups go out full.
   */
  unresolvedCount(records: Json[], specs: ReferenceSpec[]): number {
    const unknown = new Map<string, Set<number | string>>();
    let most = 0;
    for (const o of this.find(records, specs)) {
      if (o.endpoint === undefined || this.cache.has(o.key)) continue;
      let ids = unknown.get(o.group);
      if (!ids) unknown.set(o.group, (ids = new Set()));
      ids.add(o.id);
      most = Math.max(most, ids.size);
    }
    return most;
  }

  private find(records: Json[], specs: ReferenceSpec[], tally = false): Occurrence[] {
    const out: Occurrence[] = [];
    records.forEach((record, recordIndex) => {
      for (const spec of specs) {
        if (spec.idField !== undefined) referencesFromIds(record, spec.path, spec.idField);
        let references = 0;
        for (const ref of refsAt(record, spec.path)) {
          const id = spec.match ? spec.match.key(ref) : ref['id'];
          if (typeof id !== 'number' && typeof id !== 'string') continue;
          references++;
          const template = spec.parentEndpoint ? spec.parentEndpoint(ref, record) : spec.endpoint;
          const endpoint = spec.children ? template?.replace('{id}', encodeURIComponent(String(id))) : template;
          const field = spec.match?.field ?? 'id';
          const group = spec.children ? `${endpoint ?? ''}#children` : `${endpoint ?? ''}#${field}`;
          const key = spec.children ? group : targetKey(endpoint ?? '', field, id);
          out.push({ recordIndex, spec, ref, id, endpoint, group, key });
        }
        if (tally) this.count(spec, record, references);
      }
    });
    return out;
  }

  private count(spec: ReferenceSpec, record: Json, references: number): void {
    let seen = this.paths.get(spec.name);
    if (!seen) this.paths.set(spec.name, (seen = { references: 0 }));
    seen.references += references;
    if (references === 0 && seen.otherType === undefined) seen.otherType = otherTypeAt(record, spec.path);
  }

  private attach(occurrences: Occurrence[], targets: Map<string, Target>): ReferenceWarning[] {
    const warnings: ReferenceWarning[] = [];
    for (const o of occurrences) {
      const target = o.endpoint === undefined ? null : targets.get(o.key);
      if (target) {
        const { match, children } = o.spec;
        if (children) o.ref[children.attachAs] = target;
        else if (match) o.ref[match.attachAs] = { id: (target as Json)['id'], identifier: o.id, record: target };
        else o.ref['record'] = target;
        continue;
      }
      const message = o.endpoint === undefined ? `${o.spec.name} ${o.id}: the record does not say where it lives (${o.spec.endpoint})` : `${o.spec.name} ${o.id} was not found in ${o.endpoint}`;
      warnings.push({ recordIndex: o.recordIndex, reference: o.spec.name, id: o.id, message });
      const key = `${o.spec.name}#${o.key}`;
      if (!this.warnedMissing.has(key)) {
        this.warnedMissing.add(key);
        this.options.log.warn('reference target not found', { reference: o.spec.name, id: o.id, endpoint: o.endpoint ?? o.spec.endpoint });
      }
    }
    return warnings;
  }

  /**
   * One batched lookup; a parent that does not exist (404) means none of its children do. A lookup
   * the server refuses for its size (a proxy's non-JSON answer, 414) is split in two and sent again.
   */
  private async lookup(endpoint: string, field: string, keys: (number | string)[]): Promise<Map<string, Json>> {
    this.stats.requests++;
    let entities: Json[];
    try {
      entities = await this.client.get<Json[]>(endpoint, { conditions: lookupCondition(field, keys), pageSize: keys.length }, this.options.signal);
    } catch (err) {
      if (isDropwiseError(err, 'DW_CW_NOT_FOUND')) return new Map();
      if (keys.length > 1 && refusedForSize(err)) {
        const half = Math.ceil(keys.length / 2);
        this.options.log.warn('a reference lookup was refused; sending it again in two halves', { endpoint, keys: keys.length, status: (err as DropwiseError).httpStatus });
        const [first, second] = await Promise.all([this.lookup(endpoint, field, keys.slice(0, half)), this.lookup(endpoint, field, keys.slice(half))]);
        return new Map([...first, ...second]);
      }
      throw err;
    }
    this.stats.fetched += entities.length;
    return new Map(entities.filter((e) => e[field] !== undefined).map((e) => [String(e[field]), e]));
  }

  /** A child collection, every page of it; a parent that does not exist (404) has none (null). */
  private async children(endpoint: string): Promise<Json[] | null> {
    const items: Json[] = [];
    try {
      for await (const page of this.client.pages<Json & { id?: number }>(endpoint, {}, { pageSize: CHILDREN_PAGE_SIZE, signal: this.options.signal })) {
        this.stats.requests++;
        items.push(...page);
      }
    } catch (err) {
      if (isDropwiseError(err, 'DW_CW_NOT_FOUND')) return null;
      throw err;
    }
    this.stats.fetched += items.length;
    return items;
  }

  private fromCache(key: string): Target | undefined {
    const hit = this.cache.get(key);
    if (hit === undefined) return hit;
    // Move to the recent end.
    this.cache.delete(key);
    this.cache.set(key, hit);
    return hit;
  }

  private remember(key: string, target: Target): void {
    this.cache.set(key, target);
    const limit = this.options.cacheSize ?? REFERENCE_CACHE_SIZE;
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= limit) break;
      this.cache.delete(oldest);
    }
  }
}

/** A refusal that a shorter URL may avoid: a non-JSON 4xx (IIS's 404.15 page) or 414 URI Too Long. */
function refusedForSize(err: unknown): boolean {
  if (!isDropwiseError(err)) return false;
  const status = err.httpStatus ?? 0;
  return status === 414 || (err.code === 'DW_CW_RESPONSE' && status >= 400 && status < 500);
}

/** The cache key of one entity: ids keep the old `endpoint#id` form, other fields name themselves. */
function targetKey(endpoint: string, field: string, key: number | string): string {
  return field === 'id' ? `${endpoint}#${key}` : `${endpoint}#${field}=${key}`;
}
