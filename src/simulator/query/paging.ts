// Pages a filtered list the ConnectWise way (API-NOTES §2.3).
// Navigable mode: RFC 5988 `Link` with absolute URLs that keep every other query parameter. As in
// the Developer Guide's example, page 1 carries only `next` and `last`; a middle page carries
// `first`, `prev`, `next`, `last`; the last page (or one past it) carries `first` and `prev`; a result
// that fits on one page gets no Link header at all.
// Forward-only mode (`pagination-type: forward-only`): ordered by id, `pageId` means `id > pageId`,
// `Link: <…pageId=<last id>>; rel="next"` while more remain, and an empty Link value on the last page.
import { sortRecords, type Json, type ListQuery } from './list-query.js';

export interface Page {
  items: Json[];
  /** Link header value; undefined = send no Link header; '' = send an empty one. */
  link: string | undefined;
}

/** `records` must come in ascending id order (every sandbox collection iterates that way). */
export function pageOf(records: Iterable<Json>, query: ListQuery, self: URL): Page {
  if (query.forwardOnly) return forwardOnlyPage(records, query, self);
  const { page, pageSize } = query;
  const start = (page - 1) * pageSize;
  let items: Json[];
  let total: number;
  if (query.orderBy.length > 0) {
    const all = sortRecords(matching(records, query), query.orderBy);
    total = all.length;
    items = all.slice(start, start + pageSize);
  } else {
    // Streams through the matches keeping only the page window, so huge lazy lists stay cheap.
    items = [];
    total = 0;
    for (const record of records) {
      if (query.filter && !query.filter(record)) continue;
      if (total >= start && total < start + pageSize) items.push(record);
      total++;
    }
  }
  return { items, link: navigableLink(self, page, Math.max(1, Math.ceil(total / pageSize)), total) };
}

export function countOf(records: Iterable<Json>, query: ListQuery): number {
  let count = 0;
  for (const record of records) if (!query.filter || query.filter(record)) count++;
  return count;
}

function matching(records: Iterable<Json>, query: ListQuery): Json[] {
  const out: Json[] = [];
  for (const record of records) if (!query.filter || query.filter(record)) out.push(record);
  return out;
}

function forwardOnlyPage(records: Iterable<Json>, query: ListQuery, self: URL): Page {
  const items: Json[] = [];
  let more = false;
  for (const record of records) {
    if (typeof record['id'] !== 'number' || record['id'] <= query.pageId) continue;
    if (query.filter && !query.filter(record)) continue;
    if (items.length === query.pageSize) {
      more = true;
      break;
    }
    items.push(record);
  }
  const last = items[items.length - 1];
  if (!more || last === undefined) return { items, link: '' };
  const next = new URL(self);
  removeParam(next, 'page');
  setParam(next, 'pageId', String(last['id']));
  return { items, link: `<${next.href}>; rel="next"` };
}

function navigableLink(self: URL, page: number, lastPage: number, total: number): string | undefined {
  if (total === 0 || (page === 1 && lastPage === 1)) return undefined;
  const at = (n: number): string => {
    const url = new URL(self);
    setParam(url, 'page', String(n));
    return `<${url.href}>`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(`${at(1)}; rel="first"`, `${at(Math.min(page - 1, lastPage))}; rel="prev"`);
  if (page < lastPage) parts.push(`${at(page + 1)}; rel="next"`, `${at(lastPage)}; rel="last"`);
  return parts.join(', ');
}

/** Parameter names are case-insensitive, so a client's `Page=2` must not survive beside our `page=3`. */
function removeParam(url: URL, name: string): void {
  for (const key of [...url.searchParams.keys()]) if (key.toLowerCase() === name.toLowerCase()) url.searchParams.delete(key);
}

function setParam(url: URL, name: string, value: string): void {
  removeParam(url, name);
  url.searchParams.set(name, value);
}
