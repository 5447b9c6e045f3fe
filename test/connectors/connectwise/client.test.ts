// The ConnectWise client against the sandbox over loopback: auth, paging, errors, faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cwError, forwardOnlyIgnored, parseLinkHeader, type ConnectWiseClient } from '../../../src/connectors/connectwise/client.js';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { silentLogger } from '../../../src/log.js';
import { captureLogger } from '../../support/capture-log.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';

const http = { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 4, retryBudgetMs: 10_000, baseDelayMs: 5, maxDelayMs: 50, connections: 4 };

let sandbox: Sandbox;
let connectors: Connectors;
let cw: ConnectWiseClient;

function connectorsConfig(sb: Sandbox, overrides: Record<string, string> = {}) {
  const c = sb.connectwise;
  return { http, connections: { cw: { type: 'connectwise' as const, url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', ...overrides } } };
}

function connectorsFor(sb: Sandbox, overrides: Record<string, string> = {}): Connectors {
  return createConnectors(connectorsConfig(sb, overrides), silentLogger());
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, size: { invoices: 260 } });
  connectors = connectorsFor(sandbox);
  cw = connectors.connectwise();
});
afterAll(async () => {
  await connectors.close();
  await sandbox.close();
});

async function all<T>(gen: AsyncGenerator<T[]>): Promise<{ records: T[]; pages: number }> {
  const records: T[] = [];
  let pages = 0;
  for await (const page of gen) {
    pages++;
    records.push(...page);
  }
  return { records, pages };
}

describe('ConnectWiseClient', () => {
  it('reads every invoice once with forward-only pages, and with Link-header pages when ordered', async () => {
    const expected = sandbox.control.invoices().map((i) => i['id']);
    const forward = await all(cw.pages<{ id: number }>('/finance/invoices', {}, { pageSize: 100 }));
    expect(forward.records.map((r) => r.id)).toEqual(expected);
    expect(forward.pages).toBe(3);
    const ordered = await all(cw.pages<{ id: number }>('/finance/invoices', { orderBy: 'id desc' }, { pageSize: 100 }));
    expect(ordered.records.map((r) => r.id)).toEqual([...expected].reverse());
    expect((await cw.get<{ count: number }>('/finance/invoices/count')).count).toBe(expected.length);
  });

  it('reads every invoice once, in id order, from an endpoint that ignores forward-only paging, and says so once', async () => {
    const expected = sandbox.control.invoices().map((i) => i['id']);
    const captured = captureLogger();
    const own = createConnectors(connectorsConfig(sandbox), captured.log);
    sandbox.control.setQuirks({ navigableOnly: ['/finance/invoices'] });
    try {
      const client = own.connectwise();
      for (let run = 0; run < 2; run++) {
        const { records } = await all(client.pages<{ id: number }>('/finance/invoices', {}, { pageSize: 100 }));
        expect(records.map((r) => r.id)).toEqual(expected);
      }
      expect(captured.lines.filter((l) => l.message.startsWith('ConnectWise ignored forward-only paging'))).toHaveLength(1);
    } finally {
      sandbox.control.clearQuirks();
      await own.close();
    }
  });

  it('reads the same pages as records\' bytes with only the picked members parsed, forward-only and navigable', async () => {
    const invoices = sandbox.control.invoices();
    const want = invoices.map((i) => ({ id: i['id'], invoiceNumber: i['invoiceNumber'] }));
    const read = async (client: ConnectWiseClient) => {
      const { records } = await all(client.rawPages<{ invoiceNumber?: string }>('/finance/invoices', {}, { pageSize: 100, picks: new Set(['invoiceNumber']) }));
      // The bytes are each record whole: parsed, they are the records pages() reads.
      expect(records.map((r) => JSON.parse(r.raw.bytes.toString('utf8', r.raw.start, r.raw.end)) as unknown)).toEqual((await all(client.pages('/finance/invoices', {}, { pageSize: 100 }))).records);
      return records.map((r) => r.picked);
    };
    expect(await read(cw)).toEqual(want);
    const own = createConnectors(connectorsConfig(sandbox), silentLogger());
    sandbox.control.setQuirks({ navigableOnly: ['/finance/invoices'] });
    try {
      expect(await read(own.connectwise())).toEqual(want);
    } finally {
      sandbox.control.clearQuirks();
      await own.close();
    }
  });

  it('retries a page cut off mid-body when read as bytes, and reads an empty result as no pages', async () => {
    sandbox.control.injectFault({ path: '/finance/invoices', kind: 'truncate', count: 1 });
    const { records } = await all(cw.rawPages('/finance/invoices', { conditions: 'id <= 3' }, { pageSize: 10, picks: new Set() }));
    sandbox.control.clearFaults();
    expect(records.map((r) => r.picked)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(await all(cw.rawPages('/finance/invoices', { conditions: 'id < 0' }, { pageSize: 10, picks: new Set() }))).toEqual({ records: [], pages: 0 });
  });

  it('tells an answer that honours forward-only paging from one that does not', () => {
    const next = '<https://cw/x?pageSize=2&pageId=4>; rel="next"';
    expect(forwardOnlyIgnored([{ id: 3 }, { id: 4 }], next, 2)).toBeUndefined();
    expect(forwardOnlyIgnored([{ id: 5 }], '', 4)).toBeUndefined();
    expect(forwardOnlyIgnored([{ id: 3 }], undefined, 0)).toBe('no Link header');
    expect(forwardOnlyIgnored([{ id: 3 }], '<https://cw/x?page=2>; rel="next", <https://cw/x?page=9>; rel="last"', 0)).toBe('a navigable Link header');
    expect(forwardOnlyIgnored([{ id: 3 }], '<https://cw/x?page=2>; rel="next"', 0)).toBe('a next link without pageId');
    expect(forwardOnlyIgnored([{ id: 1 }, { id: 2 }], next, 2)).toBe('ids that do not move past 2');
  });

  it('passes conditions through', async () => {
    const { records } = await all(cw.pages<{ id: number }>('/finance/invoices', { conditions: 'id <= 5' }, { pageSize: 2 }));
    expect(records.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('maps ConnectWise errors to DropwiseErrors with ConnectWise\'s message', async () => {
    await expect(cw.get('/finance/invoices/999999')).rejects.toMatchObject({ code: 'DW_CW_NOT_FOUND', httpStatus: 404 });
    await expect(cw.get('/finance/invoices', { conditions: 'id = = 3' })).rejects.toMatchObject({ code: 'DW_CW_VALIDATION', httpStatus: 400 });
    await expect(cw.get('/finance/invoices', { pageSize: 1001 })).rejects.toMatchObject({ code: 'DW_CW_VALIDATION', field: 'pageSize' });
  });

  it('fails with DW_CW_AUTH on wrong keys, without the key in the message', async () => {
    const wrong = connectorsFor(sandbox, { privateKey: 'definitely-wrong-key' });
    const err = await wrong.connectwise().get('/system/info').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DW_CW_AUTH', httpStatus: 401 });
    expect(String((err as Error).message)).not.toContain('definitely-wrong-key');
    await wrong.close();
  });

  it('rides out 429s, 500s and dropped connections', async () => {
    sandbox.control.injectFault({ path: '/finance/invoices', kind: '429', count: 1, retryAfter: 0 });
    sandbox.control.injectFault({ path: '/finance/invoices', kind: '500', count: 1 });
    sandbox.control.injectFault({ path: '/finance/invoices', kind: 'drop', count: 1 });
    const { records } = await all(cw.pages<{ id: number }>('/finance/invoices', { conditions: 'id <= 3' }, { pageSize: 10 }));
    expect(records).toHaveLength(3);
    sandbox.control.clearFaults();
  });

  it('reports ConnectWise as unavailable when it keeps failing', async () => {
    sandbox.control.injectFault({ path: '/system/info', kind: '503', count: 10 });
    await expect(cw.get('/system/info')).rejects.toMatchObject({ code: 'DW_CW_UNAVAILABLE', retryable: true, httpStatus: 503 });
    sandbox.control.clearFaults();
  });
});

describe('cwError and parseLinkHeader', () => {
  it('keeps the field and message of a validation error, and copes with a non-JSON body', () => {
    const body = JSON.stringify({ code: 'InvalidObject', message: 'payment object is invalid', errors: [{ code: 'InvalidField', message: 'Amount must be positive', resource: 'payment', field: 'amount' }] });
    expect(cwError(400, body, 'POST', '/x')).toMatchObject({ code: 'DW_CW_VALIDATION', field: 'amount', message: 'ConnectWise: Amount must be positive' });
    expect(cwError(502, '<html>Bad gateway</html>', 'GET', '/x?conditions=a')).toMatchObject({ code: 'DW_CW_UNAVAILABLE', retryable: true });
  });

  it('reads an HTML 404 (IIS 404.15, query string too long) as a response error, never as "not found"', () => {
    const page = '<html><head><title>IIS 10.0 Detailed Error - 404.15 - Not Found</title></head><body><h3>HTTP Error 404.15 - Not Found</h3></body></html>';
    const err = cwError(404, page, 'GET', '/company/companies?conditions=id%20in%20(1)');
    expect(err).toMatchObject({ code: 'DW_CW_RESPONSE', httpStatus: 404, retryable: false });
    expect(err.message).toBe("ConnectWise answered 404 to GET /company/companies with a page that is not ConnectWise's JSON: IIS 10.0 Detailed Error - 404.15 - Not Found");
    expect(cwError(404, JSON.stringify({ code: 'NotFound', message: 'Company recId 9 not found' }), 'GET', '/company/companies/9')).toMatchObject({ code: 'DW_CW_NOT_FOUND' });
    expect(cwError(401, '<html>Unauthorized</html>', 'GET', '/x')).toMatchObject({ code: 'DW_CW_AUTH' });
  });

  it('reads the rels of a Link header', () => {
    expect(parseLinkHeader('<https://h/x?page=2>; rel="next", <https://h/x?page=9>; rel="last"')).toEqual({ next: 'https://h/x?page=2', last: 'https://h/x?page=9' });
    expect(parseLinkHeader('')).toEqual({});
  });
});
