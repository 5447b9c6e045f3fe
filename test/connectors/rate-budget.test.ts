// The per-connection request budget: pacing and the shared pause after a 429, on its own and
// through the HTTP client against the sandbox with ConnectWise's throttle switched on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createConnectors, type Connectors } from '../../src/connectors/index.js';
import { RateBudget } from '../../src/connectors/rate-budget.js';
import { silentLogger } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';

const http = { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 6, retryBudgetMs: 30_000, baseDelayMs: 5, maxDelayMs: 50, connections: 16 };

let sandbox: Sandbox;
const open: Connectors[] = [];

function connectors(requestsPerMinute: number): Connectors {
  const c = sandbox.connectwise;
  const made = createConnectors(
    { http, connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1', requestsPerMinute } } },
    silentLogger(),
  );
  open.push(made);
  return made;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3 });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await sandbox.close();
});
beforeEach(() => {
  sandbox.control.setRateLimit(0);
  sandbox.control.clearFaults();
});

describe('RateBudget', () => {
  it('lets a second of requests go at once, then paces the rest at the rate', async () => {
    const budget = new RateBudget({ requestsPerMinute: 6000 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 150 }, () => budget.take()));
    // 100 at once, 50 more at 100 a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('holds every request during a pause, then lets them out one by one after a random delay', async () => {
    const budget = new RateBudget({ requestsPerMinute: 6000, random: () => 0.5 });
    budget.pause(200);
    const started = Date.now();
    const times = await Promise.all(Array.from({ length: 5 }, () => budget.take().then(() => Date.now() - started)));
    // 200 ms pause + half of the 100 ms jitter, then one token each 10 ms.
    expect(Math.min(...times)).toBeGreaterThanOrEqual(245);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(30);
  });

  it('with a share of the cap, paces at that share (agents sharing a state split the cap)', async () => {
    const halves = [new RateBudget({ requestsPerMinute: 12_000 }), new RateBudget({ requestsPerMinute: 12_000 })];
    for (const b of halves) b.setShare(0.5);
    const started = Date.now();
    // Each: a burst of 100 at once, then 100 a second: 150 take at least half a second, 300 together as the whole cap would.
    await Promise.all(halves.flatMap((b) => Array.from({ length: 150 }, () => b.take())));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(() => halves[0]!.setShare(0)).toThrow(RangeError);
  });
});

describe('the request budget against a throttled sandbox', () => {
  it('keeps 300 concurrent requests under the cap: no 429s with the budget, 429s without it', async () => {
    const burst = (n: number) => Array.from({ length: n }, (_, i) => `/finance/invoices/${(i % 200) + 1}`);
    sandbox.control.setRateLimit(3000);
    const budgeted = connectors(3000).connectwise();
    await Promise.all(burst(300).map((path) => budgeted.get(path)));
    expect(sandbox.control.rateLimit().refused).toBe(0);

    sandbox.control.setRateLimit(3000);
    const unbudgeted = connectors(0).connectwise();
    // Without it the burst is refused, and retries that all wait the same Retry-After are refused again.
    await Promise.allSettled(burst(600).map((path) => unbudgeted.get(path)));
    expect(sandbox.control.rateLimit().refused).toBeGreaterThan(0);
  });

  it('keeps two agents with half the cap each under the cap together', async () => {
    const burst = (n: number) => Array.from({ length: n }, (_, i) => `/finance/invoices/${(i % 200) + 1}`);
    sandbox.control.setRateLimit(3000);
    const agents = [connectors(3000), connectors(3000)];
    for (const a of agents) a.setRateShare?.(0.5);
    await Promise.all(agents.flatMap((a) => burst(150).map((path) => a.connectwise().get(path))));
    expect(sandbox.control.rateLimit().refused).toBe(0);

    // The same two at the whole cap each are refused.
    sandbox.control.setRateLimit(3000);
    for (const a of agents) a.setRateShare?.(1);
    await Promise.allSettled(agents.flatMap((a) => burst(300).map((path) => a.connectwise().get(path))));
    expect(sandbox.control.rateLimit().refused).toBeGreaterThan(0);
  });

  it('after a 429, the whole connection waits for Retry-After and the waiting requests come back spread out, not together', async () => {
    const client = connectors(600).connectwise();
    sandbox.control.injectFault({ path: '/finance/invoices/1', kind: '429', retryAfter: 1, count: 1 });
    const started = Date.now();
    const first = client.get('/finance/invoices/1');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const others = Array.from({ length: 8 }, (_, i) => client.get(`/finance/invoices/${i + 2}`).then(() => Date.now() - started));
    await first;
    const times = await Promise.all(others);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(1000);
    // One token each 100 ms at 600 a minute once the pause ends.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(600);
  });
});
