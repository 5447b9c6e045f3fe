import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import type { TraedeClient } from '../../../src/connectors/traede/client.js';
import { silentLogger } from '../../../src/log.js';
import { markExported } from '../../../src/tasks/traede/mark-exported.js';
import { withSandbox } from '../../support/sandbox.js';

const sandbox = withSandbox({ seed: 5, size: { traedeInvoices: 30 } });
const MARK = 'POST /v10/invoices/mark-as-exported';
const MISSING = 999_999;
let connectors: Connectors;
let client: TraedeClient;

beforeAll(() => {
  const sb = sandbox();
  const http = { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 3, retryBudgetMs: 5000, baseDelayMs: 5, maxDelayMs: 20, connections: 2 };
  connectors = createConnectors({ connections: { shop: { type: 'traede', url: sb.traede.url, token: sb.traede.token, appKey: sb.traede.appKey } }, http }, silentLogger());
  client = connectors.traede('shop');
});

afterAll(async () => {
  await connectors.close();
});

beforeEach(() => {
  sandbox().control.reset({ seed: 5, size: { traedeInvoices: 30 } });
  sandbox().control.clearFaults();
  sandbox().control.resetRequests();
});

const range = (from: number, count: number) => Array.from({ length: count }, (_, n) => from + n);
const options = () => ({ systemId: 'erp', note: 'n', log: silentLogger() });
const markedIds = () => sandbox().control.traedeMarks('erp').map((m) => m.invoiceId).sort((a, b) => a - b);

describe('markExported', () => {
  it('retries a refused call invoice by invoice, so only the invoice Traede refuses stays unmarked', async () => {
    const ids = [...range(1001, 12), MISSING, ...range(1013, 10)];
    const result = await markExported(client, ids, options());

    expect(result.unmarked).toEqual([MISSING]);
    expect(result.marked.sort((a, b) => a - b)).toEqual([...range(1001, 12), ...range(1013, 10)]);
    expect(result.error?.code).toBe('DW_TRAEDE_REQUEST');
    expect(result.error?.message).toContain(String(MISSING));
    expect(markedIds()).toEqual([...range(1001, 22)]);
    // chunks 1, 3: one call each; chunk 2 (with the missing one): one refused call plus ten single ones.
    expect(sandbox().control.requests().byRoute[MARK]).toBe(1 + 1 + 10 + 1);
  });

  it('stops at the first chunk Traede cannot answer, leaving the rest unmarked', async () => {
    sandbox().control.injectFault({ method: 'POST', path: '/v10/invoices/mark-as-exported', kind: '503', count: 100 });
    const result = await markExported(client, range(1001, 25), options());
    expect(result).toMatchObject({ marked: [], unmarked: range(1001, 25) });
    expect(result.error?.code).toBe('DW_TRAEDE_UNAVAILABLE');
    expect(sandbox().control.requests().byRoute[MARK]).toBe(3);
  });

  it('marks nothing and reports nothing for no invoices', async () => {
    expect(await markExported(client, [], options())).toEqual({ marked: [], unmarked: [], error: undefined });
    expect(sandbox().control.requests().total).toBe(0);
  });
});
