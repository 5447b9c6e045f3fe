// The three GETs every ConnectWise collection has — list, `/count`, `/{id}` — with the full query
// language (conditions, childConditions, customFieldConditions, orderBy, fields, paging), refusing
// names the entity does not have, and each record in the shape of the API version the client pins.
import { notFound } from '../errors.js';
import { CONNECTWISE_BASE } from './index.js';
import { parseListQuery, project, type Json, type ListQuery } from '../query/list-query.js';
import { countOf, pageOf } from '../query/paging.js';
import type { Reply, Router, RouteContext } from '../router.js';
import { apiVersionOf, recordsNode, schemaNode, type ApiVersion, type FieldNode } from '../schema/fields.js';

export interface Source {
  /** Records in ascending id order. */
  records: Iterable<Json>;
  get(id: number): Json | undefined;
}

/** Resolves the collection for a request; throws (404) when a parent does not exist. */
export type SourceOf = (ctx: RouteContext) => Source;

/** A record as the pinned version shows it (2025.1 adds references and flags to some entities). */
export type View = (record: Json, ctx: RouteContext, version: ApiVersion) => Json;

export interface Collection {
  label: string;
  /** The reference schema's name, or the records whose union of fields stands in for one. */
  fields: string | ((ctx: RouteContext) => Iterable<Json>);
  source: SourceOf;
  view?: View;
}

export function mapSource(map: Map<number, Json>): Source {
  return { records: map.values(), get: (id) => map.get(id) };
}

function* mapped(records: Iterable<Json>, view: (record: Json) => Json): Generator<Json> {
  for (const record of records) yield view(record);
}

export function versionOf(ctx: RouteContext): ApiVersion {
  return apiVersionOf(ctx.req.headers.accept);
}

function fieldsOf(collection: Collection, ctx: RouteContext, version: ApiVersion): FieldNode {
  const { fields } = collection;
  if (typeof fields !== 'string') return recordsNode(fields(ctx));
  const node = schemaNode(fields, version);
  if (!node) throw new Error(`no field table for schema ${fields}`);
  return node;
}

/** The query and headers as this endpoint reads them: one that ignores forward-only paging drops its header and pageId. */
function pagingAsAsked(ctx: RouteContext): { params: URLSearchParams; headers: RouteContext['req']['headers'] } {
  const path = ctx.url.pathname;
  if (!ctx.state.quirks.ignoresForwardOnly([path.slice(CONNECTWISE_BASE.length), path])) {
    return { params: ctx.url.searchParams, headers: ctx.req.headers };
  }
  const params = new URLSearchParams(ctx.url.searchParams);
  for (const key of [...params.keys()]) if (key.toLowerCase() === 'pageid') params.delete(key);
  const headers = { ...ctx.req.headers };
  delete headers['pagination-type'];
  return { params, headers };
}

/** The request's query and the collection's records, both in the pinned version's terms. */
function read(collection: Collection, ctx: RouteContext): { query: ListQuery; source: Source; show: (record: Json) => Json } {
  const version = versionOf(ctx);
  const { params, headers } = pagingAsAsked(ctx);
  const query = parseListQuery(params, headers, { entity: fieldsOf(collection, ctx, version), version });
  const source = collection.source(ctx);
  const view = collection.view;
  if (!view) return { query, source, show: (record) => record };
  const show = (record: Json): Json => view(record, ctx, version);
  return {
    query,
    source: { records: mapped(source.records, show), get: (id) => source.get(id) },
    show,
  };
}

/** The list GET: a page of matching records, projected, with its Link header. */
export function listReply(collection: Collection, ctx: RouteContext): Reply {
  const { query, source } = read(collection, ctx);
  const page = pageOf(source.records, query, ctx.url);
  const headers: Record<string, string> = page.link === undefined ? {} : { Link: page.link };
  return { status: 200, body: page.items.map((r) => project(r, query.fields)), headers };
}

/** The by-id GET (which takes `fields` too). */
export function itemReply(collection: Collection, ctx: RouteContext, id: number): Reply {
  const { query, source, show } = read(collection, ctx);
  const record = source.get(id);
  if (!record) throw notFound(`${collection.label} recId ${id} not found`);
  return { status: 200, body: project(show(record), query.fields) };
}

export function listRoutes(router: Router, path: string, collection: Collection): void {
  router.add('GET', path, (ctx) => listReply(collection, ctx));
  router.add('GET', `${path}/count`, (ctx) => {
    const { query, source } = read(collection, ctx);
    return { status: 200, body: { count: countOf(source.records, query) } };
  });
  router.add('GET', `${path}/{id}`, (ctx) => itemReply(collection, ctx, ctx.params['id'] ?? 0));
}
