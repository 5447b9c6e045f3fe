import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectWiseClient } from '../../../src/connectors/connectwise/client.js';
import {
  REFERENCE_CACHE_SIZE,
  MAX_LOOKUP_CONDITION_ENCODED_CHARS,
  encodedLength,
  ReferenceResolver,
  lookupChunks,
  recordProperties,
  type ReferenceSpec,
} from '../../../src/connectors/connectwise/references.js';
import { createConnectors, type Connectors } from '../../../src/connectors/index.js';
import { silentLogger } from '../../../src/log.js';
import { INVOICE_REFERENCES } from '../../../src/tasks/connectwise/invoice-references.js';
import { startSandbox, type Sandbox } from '../../../src/simulator/index.js';

type Json = Record<string, unknown>;

const INVOICES = 2000;
const ALL_NINE: ReferenceSpec[] = Object.entries(INVOICE_REFERENCES).map(([name, spec]) => ({ name, ...spec }));

let sandbox: Sandbox;
let connectors: Connectors;
let client: ConnectWiseClient;
let invoices: Json[];

const fresh = (): Json[] => structuredClone(invoices);
const idOf = (ref: unknown): number => (ref as { id: number }).id;
const lookups = (route: string): number => sandbox.control.requests().byRoute[`GET ${route}`] ?? 0;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, size: { invoices: INVOICES } });
  const c = sandbox.connectwise;
  connectors = createConnectors(
    {
      connections: { cw: { type: 'connectwise', url: c.url, companyId: c.companyId, publicKey: c.publicKey, privateKey: c.privateKey, clientId: c.clientId, apiVersion: '2022.1' } },
      http: { timeoutMs: 5000, connectTimeoutMs: 2000, maxAttempts: 5, retryBudgetMs: 10000, baseDelayMs: 10, maxDelayMs: 200, connections: 8 },
    },
    silentLogger(),
  );
  client = connectors.connectwise('cw');
  invoices = [];
  for await (const page of client.pages<Json & { id: number }>('/finance/invoices', {}, { pageSize: 1000 })) invoices.push(...page);
});

afterAll(async () => {
  await connectors.close();
  await sandbox.close();
});

beforeEach(() => sandbox.control.resetRequests());

describe('ReferenceResolver on 2,000 invoices with all nine references', () => {
  it('uses at most ceil(distinct ids / page size) lookups per endpoint, and one per company for sites', async () => {
    expect(invoices).toHaveLength(INVOICES);
    const pageSize = 10;
    const resolver = new ReferenceResolver(client, { pageSize, log: silentLogger() });
    await resolver.resolve(fresh(), ALL_NINE);
    const distinct = (...fields: string[]) => new Set(invoices.flatMap((inv) => fields.map((f) => inv[f]).filter(Boolean).map(idOf))).size;
    const bound = (...fields: string[]) => Math.ceil(distinct(...fields) / pageSize);
    expect(lookups('/company/companies')).toBeLessThanOrEqual(bound('company', 'billToCompany', 'shipToCompany'));
    expect(lookups('/finance/billingStatuses')).toBeLessThanOrEqual(bound('status'));
    expect(lookups('/finance/billingTerms')).toBeLessThanOrEqual(bound('billingTerms'));
    expect(lookups('/finance/taxCodes')).toBeLessThanOrEqual(bound('taxCode'));
    expect(lookups('/finance/currencies')).toBeLessThanOrEqual(bound('currency'));
    // Sites exist only under their company (no flat endpoint): billing and shipping sites of one
    // company share a lookup.
    const siteParents = new Set(invoices.flatMap((inv) => ['billingSite', 'shippingSite'].map((f) => /companies\/(\d+)\/sites/.exec(JSON.stringify(inv[f]))?.[1]).filter(Boolean)));
    expect(lookups('/company/companies/{id}/sites')).toBe(siteParents.size);
    expect(resolver.stats.requests).toBe(sandbox.control.requests().total);
    // Nothing else was asked for: no one-by-one GETs.
    expect(Object.keys(sandbox.control.requests().byRoute).filter((r) => r.endsWith('/{id}'))).toEqual([]);
  });

  it('adds the full entity as `record` after the reference keys, and warns about missing targets', async () => {
    const records = fresh();
    const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
    const warnings = await resolver.resolve(records, ALL_NINE);

    const invoice = records[0] as Json;
    for (const name of Object.keys(INVOICE_REFERENCES)) {
      const ref = invoice[name] as Json;
      expect(Object.keys(ref).at(-1)).toBe('record');
      expect(idOf(ref['record'])).toBe(ref['id']);
    }
    // The attached entity is what ConnectWise returns for that id.
    const company = (invoice['company'] as Json)['record'];
    expect(company).toEqual(await client.get(`/company/companies/${idOf(invoice['company'])}`));
    const site = (invoice['billingSite'] as Json)['record'] as Json;
    expect(site['name']).toBe((invoice['billingSite'] as Json)['name']);

    // The sandbox seeds dangling references: ship-to company 99999 and billing terms 99.
    const expected = records.flatMap((inv, recordIndex) => [
      ...(idOf(inv['billingTerms']) === 99 ? [{ recordIndex, reference: 'billingTerms', id: 99 }] : []),
      ...(idOf(inv['shipToCompany']) === 99_999 ? [{ recordIndex, reference: 'shipToCompany', id: 99_999 }] : []),
    ]);
    expect(expected.length).toBeGreaterThan(10);
    expect(warnings.map(({ recordIndex, reference, id }) => ({ recordIndex, reference, id })).sort((a, b) => a.recordIndex - b.recordIndex || a.reference.localeCompare(b.reference))).toEqual(expected);
    expect(warnings[0]?.message).toMatch(/was not found in \/(finance\/billingTerms|company\/companies)/);
    for (const w of warnings) expect((records[w.recordIndex]?.[w.reference] as Json)['record']).toBeUndefined();
  });

  it('fetches each distinct id once per run, missing ones included', async () => {
    const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
    const windows = [fresh().slice(0, 700), fresh().slice(700, 1400), fresh().slice(1400)];
    for (const window of windows) await resolver.resolve(window, ALL_NINE);
    expect(resolver.unresolvedCount(fresh(), ALL_NINE)).toBe(0);
    // Every distinct target that exists came over the wire exactly once.
    const targets = new Set(
      windows.flat().flatMap((inv) =>
        ALL_NINE.flatMap((spec) => {
          const ref = inv[spec.name] as Json | undefined;
          const target = ref?.['record'];
          return target ? [`${spec.parentEndpoint ? spec.parentEndpoint(ref, inv) : spec.endpoint}#${idOf(target)}`] : [];
        }),
      ),
    );
    expect(resolver.stats.fetched).toBe(targets.size);
    const before = resolver.stats.requests;
    await resolver.resolve(fresh(), ALL_NINE);
    expect(resolver.stats.requests).toBe(before);
    expect(resolver.stats.cacheHits).toBeGreaterThanOrEqual(targets.size);
  });

  it('re-fetches what a bounded cache has evicted', async () => {
    const resolver = new ReferenceResolver(client, { pageSize: 100, cacheSize: 2, log: silentLogger() });
    const spec: ReferenceSpec[] = [{ name: 'company', path: ['company'], endpoint: '/company/companies' }];
    const records = fresh().slice(0, 300);
    expect(new Set(records.map((r) => idOf(r['company']))).size).toBeGreaterThan(2);
    await resolver.resolve(records, spec);
    await resolver.resolve(fresh().slice(0, 300), spec);
    expect(resolver.stats.requests).toBe(2);
    expect(records.every((r) => (r['company'] as Json)['record'] !== undefined)).toBe(true);
  });
});

describe('ReferenceResolver cache', () => {
  it('keeps at most REFERENCE_CACHE_SIZE (5,000) targets by default, dropping the least recently used', async () => {
    expect(REFERENCE_CACHE_SIZE).toBe(5000);
    const resolver = new ReferenceResolver(client, { pageSize: 1000, log: silentLogger() });
    const spec: ReferenceSpec[] = [{ name: 'company', path: ['company'], endpoint: '/company/companies' }];
    // Ids the sandbox mostly lacks: a known miss is cached as much as an entity is.
    const records = (ids: number[]): Json[] => ids.map((id) => ({ company: { id } }));
    const all = Array.from({ length: REFERENCE_CACHE_SIZE + 1 }, (_, i) => i + 1);
    await resolver.resolve(records(all), spec);
    const requests = resolver.stats.requests;
    // The newest 5,000 are still known; the very first was dropped and is asked for again.
    await resolver.resolve(records(all.slice(1)), spec);
    expect(resolver.stats.requests).toBe(requests);
    await resolver.resolve(records([1]), spec);
    expect(resolver.stats.requests).toBe(requests + 1);
  });
});

describe('ReferenceResolver edge cases', () => {
  it('follows * through arrays and counts unresolved ids per endpoint', async () => {
    const records: Json[] = [{ lines: [{ currency: { id: 1 } }, { currency: { id: 2 } }, { other: 1 }] }, { lines: [{ currency: { id: 1 } }] }];
    const spec: ReferenceSpec[] = [{ name: 'lines/line/currency', path: ['lines', '*', 'currency'], endpoint: '/finance/currencies' }];
    const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
    expect(resolver.unresolvedCount(records, spec)).toBe(2);
    expect(await resolver.resolve(records, spec)).toEqual([]);
    const lines = (records[0] as { lines: Json[] }).lines;
    expect(idOf(lines[1]?.['currency'] && (lines[1]['currency'] as Json)['record'])).toBe(2);
    expect(lookups('/finance/currencies')).toBe(1);
  });

  it('treats a parent that does not exist as missing targets, not a failure', async () => {
    const records: Json[] = [{ billingSite: { id: 5, name: 'Main', _info: { site_href: `${sandbox.connectwise.url}/company/companies/424242/sites/5` } } }, { billingSite: { id: 6 } }];
    const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
    const warnings = await resolver.resolve(records, [{ name: 'billingSite', ...INVOICE_REFERENCES['billingSite'] } as ReferenceSpec]);
    expect(warnings.map((w) => [w.recordIndex, w.id])).toEqual([[0, 5], [1, 6]]);
    expect(warnings[0]?.message).toBe('billingSite 5 was not found in /company/companies/424242/sites');
    expect(warnings[1]?.message).toMatch(/does not say where it lives/);
  });

  it('looks records up by another field in batches, and fetches a child collection once per parent', async () => {
    sandbox.control.resetRequests();
    const resolver = new ReferenceResolver(client, { pageSize: 3, log: silentLogger() });
    const byNumber: ReferenceSpec = { name: 'invoice', path: [], endpoint: '/finance/invoices', match: { field: 'invoiceNumber', key: (r) => r['doc'] as string | undefined, attachAs: 'invoice' } };
    const additions: ReferenceSpec = { name: 'additions', path: ['agreement'], endpoint: '/finance/agreements/{id}/additions', children: { attachAs: 'agreementAdditions' } };
    const wanted = invoices.slice(0, 5);
    const records: Json[] = [...wanted, ...wanted].map((i) => ({ doc: i['invoiceNumber'], agreement: { id: 1 } }));
    records.push({ doc: 'NO-SUCH', agreement: { id: 4242 } });
    const warnings = await resolver.resolve(records, [byNumber, additions]);
    expect(records[6]?.['invoice']).toEqual({ id: wanted[1]?.['id'], identifier: wanted[1]?.['invoiceNumber'], record: wanted[1] });
    expect((records[0]?.['agreement'] as Json)['agreementAdditions']).toEqual(await client.get('/finance/agreements/1/additions'));
    expect(warnings.map((w) => [w.reference, w.id])).toEqual([['invoice', 'NO-SUCH'], ['additions', 4242]]);
    // 6 distinct numbers in pages of 3; one additions GET per distinct agreement (1, 4242).
    expect(lookups('/finance/invoices')).toBe(2);
    expect(lookups('/finance/agreements/{id}/additions')).toBe(2 + 1);
    await resolver.resolve([{ doc: wanted[0]?.['invoiceNumber'], agreement: { id: 1 } }], [byNumber, additions]);
    expect(lookups('/finance/invoices')).toBe(2);
  });

  it('makes a reference from a bare id field where the record has no reference object (2022.1 locationId)', async () => {
    const resolver = new ReferenceResolver(client, { pageSize: 10, log: silentLogger() });
    const spec: ReferenceSpec = { name: 'location', path: ['invoice', 'location'], endpoint: '/system/locations', idField: 'locationId' };
    const records: Json[] = [{ invoice: { locationId: 2 } }, { invoice: { locationId: 9, location: { id: 3, name: 'Copenhagen' } } }, { invoice: { locationId: null } }];
    expect(await resolver.resolve(records, [spec])).toEqual([]);
    const location = (i: number): Json => (records[i]?.['invoice'] as Json)['location'] as Json;
    expect(location(0)).toEqual({ id: 2, record: await client.get('/system/locations/2') });
    expect(location(1)).toMatchObject({ id: 3, name: 'Copenhagen', record: { id: 3 } });
    expect(location(2)).toBeUndefined();
  });

  it('fails on errors other than not-found', async () => {
    sandbox.control.injectFault({ path: '/finance/taxCodes', kind: '500', count: 20 });
    try {
      const resolver = new ReferenceResolver(client, { pageSize: 100, log: silentLogger() });
      await expect(resolver.resolve(fresh().slice(0, 5), [{ name: 'taxCode', ...INVOICE_REFERENCES['taxCode'] } as ReferenceSpec])).rejects.toMatchObject({ code: 'DW_CW_UNAVAILABLE' });
    } finally {
      sandbox.control.clearFaults();
    }
  });
});

describe('ReferenceResolver behind a server that refuses long URLs', () => {
  it('splits a lookup refused with an HTML 404.15 and finds every target', async () => {
    sandbox.control.setQuirks({ maxQueryString: 80 });
    try {
      const records = fresh().slice(0, 400);
      const resolver = new ReferenceResolver(client, { pageSize: 1000, log: silentLogger() });
      const warnings = await resolver.resolve(records, [{ name: 'company', path: ['company'], endpoint: '/company/companies' }]);
      expect(warnings).toEqual([]);
      for (const record of records) expect(((record['company'] as Json)['record'] as Json)['id']).toBe(idOf(record['company']));
      expect(resolver.stats.requests).toBeGreaterThan(1);
    } finally {
      sandbox.control.clearQuirks();
    }
  });

  it('fails with DW_CW_RESPONSE, not "not found", when even one key is refused', async () => {
    sandbox.control.setQuirks({ maxQueryString: 10 });
    try {
      const resolver = new ReferenceResolver(client, { pageSize: 1000, log: silentLogger() });
      await expect(resolver.resolve(fresh().slice(0, 3), [{ name: 'company', path: ['company'], endpoint: '/company/companies' }])).rejects.toMatchObject({ code: 'DW_CW_RESPONSE', httpStatus: 404 });
    } finally {
      sandbox.control.clearQuirks();
    }
  });
});

describe('lookupChunks', () => {
  it('cuts by page size and by URL length', () => {
    expect(lookupChunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    const ids = Array.from({ length: 1000 }, (_, i) => 100_000 + i);
    const chunks = lookupChunks(ids, 1000);
    expect(chunks.flat()).toEqual(ids);
    for (const chunk of chunks) expect(encodedLength(`id in (${chunk.join(',')})`)).toBeLessThanOrEqual(MAX_LOOKUP_CONDITION_ENCODED_CHARS);
    // Encoded, `id in (` is 12 characters and `)` 3; each six-digit id costs 6 and each comma 3.
    expect(chunks.length).toBe(Math.ceil(ids.length / Math.floor((MAX_LOOKUP_CONDITION_ENCODED_CHARS - 15 + 3) / 9)));
  });

  it('measures the condition as sent: quotes, commas and parentheses count three characters each', () => {
    expect(encodedLength('id in (1,2)')).toBe('id+in+%281%2C2%29'.length);
    const keys = Array.from({ length: 400 }, (_, i) => `INV-${10_000 + i}`);
    for (const chunk of lookupChunks(keys, 1000, 'invoiceNumber')) {
      const condition = `invoiceNumber in (${chunk.map((k) => `"${k}"`).join(',')})`;
      expect(encodedLength(condition)).toBeLessThanOrEqual(MAX_LOOKUP_CONDITION_ENCODED_CHARS);
      expect(new URLSearchParams({ conditions: condition }).toString().length).toBeLessThan(2048);
    }
  });
});

describe('recordProperties', () => {
  it('names what resolving reads and changes of a record: first steps, an idField beside the record\'s own reference, the fields a parent endpoint reads', () => {
    const nine = Object.entries(INVOICE_REFERENCES).map(([name, spec]) => ({ name, ...spec }));
    expect(recordProperties(nine).sort()).toEqual(['billToCompany', 'billingSite', 'billingTerms', 'company', 'currency', 'shipToCompany', 'shippingSite', 'status', 'taxCode']);
    // A site's parent endpoint reads the company beside it, though the export may not fetch that company.
    expect(recordProperties(nine.filter((spec) => spec.name === 'shippingSite'))).toEqual(['shippingSite', 'shipToCompany']);
    expect(recordProperties([{ name: 'location', path: ['location'], endpoint: '/x', idField: 'locationId' }, { name: 'item', path: ['lines', '*', 'item'], endpoint: '/y', idField: 'itemId' }])).toEqual(['location', 'locationId', 'lines']);
  });

  it('refuses a spec that starts at the record itself or its items', () => {
    expect(() => recordProperties([{ name: 'self', path: [], endpoint: '/x' }])).toThrow(/self does not start at a property/);
    expect(() => recordProperties([{ name: 'items', path: ['*', 'id'], endpoint: '/x' }])).toThrow(/items does not start/);
  });
});

