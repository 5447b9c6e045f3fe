// Traede export API (Traede notes §3): pull not-yet-exported invoices for a system, then confirm
// them with mark-as-exported, at most 10 per call, bookkeeping kept per system_id.
import { ApiError } from '../errors.js';
import { streamJsonObject } from '../json-stream.js';
import { parseDateTime } from '../query/parser.js';
import type { Json } from '../query/list-query.js';
import { Router } from '../router.js';
import { matchesGroups, parseFilterGroups } from './filters.js';
import { parseBracketQuery } from './query-string.js';

export const MARK_LIMIT = 10;

function validation(message: string, status = 422): ApiError {
  return new ApiError(status, { status, error: 'validation_failed', message });
}

export function traedeRouter(): Router {
  const router = new Router();

  router.add('GET', '/v10/invoices/export', async (ctx) => {
    const query = parseBracketQuery(ctx.url.searchParams);
    const systemId = query['system_id'];
    if (typeof systemId !== 'string' || systemId.trim() === '') throw validation('system_id is required', 400);
    const sinceRaw = query['not_exported_since'];
    let since: number | undefined;
    if (sinceRaw !== undefined) {
      since = typeof sinceRaw === 'string' ? parseDateTime(sinceRaw.trim()) : undefined;
      if (since === undefined) throw validation('not_exported_since must be a UTC date-time (YYYY-MM-DD HH:MM:SS)', 400);
    }
    const includeNonBooked = query['include_non_booked'] === '1' || query['include_non_booked'] === 'true';
    const groups = parseFilterGroups(query['filter_groups']);
    const includes = query['includes'];
    const withLines = (Array.isArray(includes) ? includes : typeof includes === 'string' ? includes.split(',') : []).includes('lines');
    const traede = ctx.state.data.traede;
    const marks = traede.marks.get(systemId);
    function* selected(): Generator<Json> {
      for (const invoice of traede.all()) {
        if (invoice['status'] !== 'booked' && !includeNonBooked) continue;
        const mark = marks?.get(invoice['id'] as number);
        if (mark && (since === undefined || Date.parse(mark.markedAt) < since)) continue;
        if (!matchesGroups(invoice, groups)) continue;
        const { lines, ...rest } = invoice;
        yield withLines ? { ...rest, lines } : rest;
      }
    }
    // Streamed as it is built, so a tenant of any size answers at flat memory. The first invoice is
    // matched before the headers go out: a filter that cannot be applied is still answered with a 400.
    const rest = selected();
    const first = rest.next();
    function* invoices(): Generator<Json> {
      if (first.done) return;
      yield first.value;
      yield* rest;
    }
    ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-cache' });
    await streamJsonObject(ctx.res, [['invoices', invoices()]]);
    return undefined;
  });

  router.add('POST', '/v10/invoices/mark-as-exported', async (ctx) => {
    const body = (await ctx.body()) as Json | null;
    const items = body && typeof body === 'object' ? body['invoices'] : undefined;
    if (!Array.isArray(items) || items.length === 0) throw validation('invoices is required: an array of {invoice_id, system_id, note}');
    if (items.length > MARK_LIMIT) throw validation(`You can at a max mark ${MARK_LIMIT} invoices at a time (got ${items.length})`);
    const traede = ctx.state.data.traede;
    const checked = items.map((raw, i) => {
      const item = (raw ?? {}) as Json;
      const invoiceId = item['invoice_id'];
      const systemId = item['system_id'];
      if (typeof invoiceId !== 'number' || !Number.isInteger(invoiceId)) throw validation(`invoices.${i}.invoice_id must be an integer`);
      if (typeof systemId !== 'string' || systemId.trim() === '') throw validation(`invoices.${i}.system_id is required`);
      if (!traede.has(invoiceId)) throw validation(`invoices.${i}.invoice_id: invoice ${invoiceId} does not exist`, 404);
      return { invoiceId, systemId, note: typeof item['note'] === 'string' ? item['note'] : undefined };
    });
    const marked = checked.map(({ invoiceId, systemId, note }) => {
      const mark = traede.mark(systemId, invoiceId, note);
      return { invoice_id: invoiceId, system_id: systemId, note: note ?? null, exported_at: mark.markedAt };
    });
    return { status: 200, body: { invoices: marked } };
  });

  return router;
}
