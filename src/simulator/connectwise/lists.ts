// The three GETs every ConnectWise collection has — list, `/count`, `/{id}` — with the full query
// language (conditions, childConditions, customFieldConditions, orderBy, fields, paging).
import { notFound } from '../errors.js';
import { parseListQuery, project, type Json } from '../query/list-query.js';
import { countOf, pageOf } from '../query/paging.js';
import type { Router, RouteContext } from '../router.js';

export interface Source {
  /** Records in ascending id order. */
  records: Iterable<Json>;
  get(id: number): Json | undefined;
}

/** Resolves the collection for a request; throws (404) when a parent does not exist. */
export type SourceOf = (ctx: RouteContext) => Source;

export function mapSource(map: Map<number, Json>): Source {
  return { records: map.values(), get: (id) => map.get(id) };
}

export function listRoutes(router: Router, path: string, label: string, sourceOf: SourceOf): void {
  router.add('GET', path, (ctx) => {
    const query = parseListQuery(ctx.url.searchParams, ctx.req.headers);
    const page = pageOf(sourceOf(ctx).records, query, ctx.url);
    const headers: Record<string, string> = page.link === undefined ? {} : { Link: page.link };
    return {
      status: 200,
      body: page.items.map((r) => project(r, query.fields)),
      headers,
    };
  });
  router.add('GET', `${path}/count`, (ctx) => {
    const query = parseListQuery(ctx.url.searchParams, ctx.req.headers);
    return { status: 200, body: { count: countOf(sourceOf(ctx).records, query) } };
  });
  router.add('GET', `${path}/{id}`, (ctx) => {
    const query = parseListQuery(ctx.url.searchParams, ctx.req.headers);
    const id = ctx.params['id'] ?? 0;
    const record = sourceOf(ctx).get(id);
    if (!record) throw notFound(`${label} recId ${id} not found`);
    return { status: 200, body: project(record, query.fields) };
  });
}
