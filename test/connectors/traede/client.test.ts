import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import type { TraedeClient, TraedeInvoice } from '../../../src/connectors/traede/client.js';
import type { TraedeFilterGroup } from '../../../src/connectors/traede/filter-groups.js';
import { isDropwiseError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { withSandbox, type Sandbox } from '../../support/sandbox.js';

const sandbox = withSandbox({ seed: 7 });
const HTTP = { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 4, retryBudgetMs: 10_000, baseDelayMs: 5, maxDelayMs: 50, connections: 4 };
const opened: Connectors[] = [];

function client(sb: Sandbox, token = sb.traede.token): TraedeClient {
  const connectors = createConnectors({ connections: { shop: { type: 'traede', url: sb.traede.url, token, appKey: sb.traede.appKey } }, http: HTTP }, silentLogger());
  opened.push(connectors);
  return connectors.traede('shop');
}

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

async function pull(c: TraedeClient, systemId: string, more: Partial<Parameters<TraedeClient['streamInvoices']>[0]> = {}): Promise<TraedeInvoice[]> {
  const invoices: TraedeInvoice[] = [];
  for await (const invoice of c.streamInvoices({ systemId, includeNonBooked: false, filterGroups: [], includeLines: true, ...more })) invoices.push(invoice);
  return invoices;
}

const ids = (invoices: TraedeInvoice[]) => invoices.map((i) => i.id).sort((a, b) => a - b);

/** Every invoice the sandbox holds, read through its control API (not through the client under test). */
function allInvoices(sb: Sandbox): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let id = 1001; sb.control.traedeInvoice(id); id++) out.push(sb.control.traedeInvoice(id) as Record<string, unknown>);
  return out;
}

describe('TraedeClient against the sandbox', () => {
  beforeEach(() => {
    sandbox().control.reset({ seed: 7 });
    sandbox().control.clearFaults();
    sandbox().control.resetRequests();
  });

  it('pulls booked invoices with their lines, or drafts too, or without lines', async () => {
    const sb = sandbox();
    const c = client(sb);
    const all = allInvoices(sb);
    const booked = all.filter((i) => i['status'] === 'booked').map((i) => i['id']);
    expect(booked.length).toBeGreaterThan(0);
    expect(booked.length).toBeLessThan(all.length);

    const invoices = await pull(c, 'erp');
    expect(ids(invoices)).toEqual(booked);
    expect(invoices[0]).toEqual(sb.control.traedeInvoice(invoices[0]?.id as number));
    expect(Array.isArray(invoices[0]?.['lines'])).toBe(true);

    expect((await pull(c, 'erp', { includeNonBooked: true })).length).toBe(all.length);
    expect((await pull(c, 'erp', { includeLines: false }))[0]).not.toHaveProperty('lines');
  });

  it('refuses a wrong token with DW_TRAEDE_AUTH and no secret in the message', async () => {
    const sb = sandbox();
    const err = await pull(client(sb, 'not-the-token'), 'erp').catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_TRAEDE_AUTH')).toBe(true);
    expect((err as Error).message).not.toContain('not-the-token');
  });

  it('filters with AND between groups and OR inside a group, as the sandbox evaluates them', async () => {
    const sb = sandbox();
    const c = client(sb);
    const all = allInvoices(sb);
    const created = all.map((i) => String(i['created_at'])).sort();
    const updated = all.map((i) => String(i['updated_at'])).sort();
    const early = created[Math.floor(created.length / 4)] as string;
    const late = created[Math.floor((created.length * 3) / 4)] as string;
    const recent = updated[Math.floor(updated.length / 2)] as string;
    // (created < early OR created >= late) AND updated >= recent, datetimes given as ISO with a zone.
    const iso = (t: string) => `${t.replace(' ', 'T')}Z`;
    const groups: TraedeFilterGroup[] = [
      { or: true, filters: [{ key: 'created_at', operator: 'lt', value: iso(early), not: false }, { key: 'created_at', operator: 'gte', value: iso(late), not: false }] },
      { or: false, filters: [{ key: 'updated_at', operator: 'lt', value: iso(recent), not: true }] },
    ];
    const expected = all
      .filter((i) => {
        const cr = String(i['created_at']);
        return (cr < early || cr >= late) && String(i['updated_at']) >= recent;
      })
      .map((i) => i['id']);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length / 2);
    expect(ids(await pull(c, 'erp', { includeNonBooked: true, filterGroups: groups }))).toEqual(expected);

    const between = await pull(c, 'erp', { includeNonBooked: true, filterGroups: [{ or: false, filters: [{ key: 'created_at', operator: 'bt', value: [iso(early), iso(late)], not: false }] }] });
    expect(ids(between)).toEqual(all.filter((i) => String(i['created_at']) >= early && String(i['created_at']) <= late).map((i) => i['id']));
  });

  it('refuses a bad filter before any request is sent', async () => {
    const sb = sandbox();
    const bad: TraedeFilterGroup[] = [{ or: false, filters: [{ key: 'total' as never, operator: 'gt', value: '1', not: false }] }];
    const err = await pull(client(sb), 'erp', { filterGroups: bad }).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_SETTINGS_INVALID')).toBe(true);
    expect(sb.control.requests().total).toBe(0);
  });

  it('marks invoices per system; marked ones stop coming, not_exported_since brings them back', async () => {
    const sb = sandbox();
    const c = client(sb);
    const first = await pull(c, 'erp');
    const chosen = first.slice(0, 3).map((i) => i.id);
    const before = new Date(Date.now() - 1000).toISOString();
    await c.markAsExported(chosen.map((id) => ({ invoice_id: id, system_id: 'erp', note: 'in erp.xml' })));

    expect(sb.control.traedeMarks('erp').map((m) => [m.invoiceId, m.note])).toEqual(chosen.map((id) => [id, 'in erp.xml']));
    expect(ids(await pull(c, 'erp'))).toEqual(ids(first).filter((id) => !chosen.includes(id)));
    expect(ids(await pull(c, 'other-system'))).toEqual(ids(first));
    expect(ids(await pull(c, 'erp', { notExportedSince: before }))).toEqual(ids(first));
  });

  it('refuses more than 10 invoices per mark call without calling Traede', async () => {
    const sb = sandbox();
    const items = Array.from({ length: 11 }, (_, n) => ({ invoice_id: 1001 + n, system_id: 'erp' }));
    await expect(client(sb).markAsExported(items)).rejects.toThrow(/at most 10/);
    expect(sb.control.requests().total).toBe(0);
  });

  it('retries a mark call that failed with 503 (marking twice is harmless)', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'POST', path: '/v10/invoices/mark-as-exported', kind: '503', count: 2 });
    await client(sb).markAsExported([{ invoice_id: 1001, system_id: 'erp', note: 'x' }]);
    expect(sb.control.requests().byRoute['POST /v10/invoices/mark-as-exported']).toBe(3);
    expect(sb.control.traedeMarks('erp').map((m) => m.invoiceId)).toEqual([1001]);
  });

  it('reports DW_TRAEDE_UNAVAILABLE when the mark call keeps failing', async () => {
    const sb = sandbox();
    sb.control.injectFault({ method: 'POST', path: '/v10/invoices/mark-as-exported', kind: '500', count: 10 });
    const err = await client(sb).markAsExported([{ invoice_id: 1001, system_id: 'erp' }]).catch((e: unknown) => e);
    expect(isDropwiseError(err, 'DW_TRAEDE_UNAVAILABLE')).toBe(true);
    expect(sb.control.traedeMarks('erp')).toEqual([]);
  });
});
