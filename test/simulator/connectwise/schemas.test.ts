// Every ConnectWise endpoint's response validated against the reference OpenAPI documents (2022.1
// reconstruction and the 2026.4 GET subset), with unknown properties refused too, so a misspelt
// field fails here. The reference folder must exist: a missing one fails loudly, never skips.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { withSandbox } from '../../support/sandbox.js';
import { cw, type Row } from '../helpers.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
/** The nearest `shared/reference/connectwise` above the repo (a worktree sits one level deeper). */
function findReferenceDir(): string {
  for (let dir = path.dirname(repoRoot); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared/reference/connectwise');
    if (existsSync(candidate) || path.dirname(dir) === dir) return candidate;
  }
}
const referenceDir = findReferenceDir();

type Spec = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, Row> } };

function load(file: string): Spec {
  const full = path.join(referenceDir, file);
  if (!existsSync(full)) throw new Error(`Reference OpenAPI file missing: ${full}. The schema tests need ../shared/reference/connectwise next to the repo.`);
  const spec = JSON.parse(readFileSync(full, 'utf8')) as Spec;
  for (const schema of Object.values(spec.components.schemas)) {
    // Refuse properties the spec does not know (the documents never say so themselves).
    if (schema['type'] === 'object' && schema['properties'] && schema['additionalProperties'] === undefined) schema['additionalProperties'] = false;
  }
  // The reconstruction renders CustomFieldValue.value as `object` (openapi-typescript's
  // Record<string, unknown>); ConnectWise sends the value itself (a string, number or boolean).
  const customField = spec.components.schemas['CustomFieldValue'];
  if (customField) (customField['properties'] as Row)['value'] = {};
  return spec;
}

/**
 * Warehouses, warehouse bins, shipment methods and purchase order line items are in neither
 * reference document (the 2026.4 copy is a pruned GET subset). Their schemas, transcribed from
 * ConnectWise's 2025.1 Warehouse, WarehouseBin, ShipmentMethod and PurchaseOrderLineItem models
 * (with the fields ConnectWise requires), reuse the documents' reference schemas and are just as strict.
 */
function procurementSupplement(): Spec {
  const ref = (name: string): Row => ({ $ref: `2026.4#/components/schemas/${name}` });
  const info = { type: 'object', additionalProperties: { type: 'string' } };
  const int = { type: 'integer', format: 'int32' };
  const object = (required: string[], properties: Row): Row => ({ type: 'object', required, properties: { id: int, ...properties, _info: info }, additionalProperties: false });
  const schemas: Record<string, Row> = {
    Warehouse: object(['name', 'department', 'location'], {
      name: { type: 'string', maxLength: 50 },
      company: ref('CompanyReference'),
      contact: ref('ContactReference'),
      currency: ref('CurrencyReference'),
      department: ref('SystemDepartmentReference'),
      location: ref('SystemLocationReference'),
      locationXref: { type: 'string' },
      manager: ref('MemberReference'),
      site: ref('SiteReference'),
      inactiveFlag: { type: 'boolean' },
      lockedFlag: { type: 'boolean' },
      locationDefaultFlag: { type: 'boolean' },
      overallDefaultFlag: { type: 'boolean' },
    }),
    WarehouseBin: object(['name', 'warehouse'], {
      name: { type: 'string', maxLength: 50 },
      warehouse: ref('WarehouseReference'),
      company: ref('CompanyReference'),
      department: ref('SystemDepartmentReference'),
      location: ref('SystemLocationReference'),
      manager: ref('MemberReference'),
      overflowBin: ref('WarehouseBinReference'),
      transferBin: ref('WarehouseBinReference'),
      defaultFlag: { type: 'boolean' },
      inactiveFlag: { type: 'boolean' },
      minQuantity: { type: 'number' },
      maxQuantity: { type: 'number' },
      quantityOnHand: int,
      height: { type: 'number' },
      length: { type: 'number' },
      width: { type: 'number' },
      weight: { type: 'number' },
    }),
    ShipmentMethod: object(['name'], { name: { type: 'string', maxLength: 50 }, defaultFlag: { type: 'boolean' }, trackingUrl: { type: 'string' } }),
    // PurchaseOrderLineItem (2025.1; required: description, lineNumber, product, quantity, unitOfMeasure).
    PurchaseOrderLineItem: object(['description', 'lineNumber', 'product', 'quantity', 'unitOfMeasure'], {
      backorderedFlag: { type: 'boolean' },
      canceledFlag: { type: 'boolean' },
      closedFlag: { type: 'boolean' },
      description: { type: 'string' },
      expectedShipDate: { type: 'string', format: 'date-time' },
      internalNotes: { type: 'string' },
      lineNumber: int,
      packingSlip: { type: 'string' },
      product: ref('IvItemReference'),
      purchaseOrderId: int,
      quantity: { type: 'number' },
      receivedQuantity: int,
      serialNumbers: { type: 'string' },
      shipDate: { type: 'string', format: 'date-time' },
      shipmentMethod: { type: 'object', required: ['id'], properties: { id: int, name: { type: 'string' }, _info: info }, additionalProperties: false },
      tax: { type: 'number' },
      trackingNumber: { type: 'string' },
      unitCost: { type: 'number' },
      unitOfMeasure: ref('UnitOfMeasureReference'),
      vendorOrderNumber: { type: 'string' },
      warehouse: ref('WarehouseReference'),
      warehouseBin: ref('WarehouseBinReference'),
    }),
  };
  const paths: Spec['paths'] = {};
  const ok = (schema: Row) => ({ get: { responses: { '200': { content: { 'application/json': { schema } } } } } });
  for (const [base, name] of [['/procurement/warehouses', 'Warehouse'], ['/procurement/warehouseBins', 'WarehouseBin'], ['/procurement/shipmentmethods', 'ShipmentMethod']] as const) {
    const entity = { $ref: `#/components/schemas/${name}` };
    paths[base] = ok({ type: 'array', items: entity });
    paths[`${base}/count`] = ok(ref('Count'));
    paths[`${base}/{id}`] = ok(entity);
  }
  const line = { $ref: '#/components/schemas/PurchaseOrderLineItem' };
  paths['/procurement/purchaseorders/{parentId}/lineitems'] = ok({ type: 'array', items: line });
  paths['/procurement/purchaseorders/{parentId}/lineitems/count'] = ok(ref('Count'));
  paths['/procurement/purchaseorders/{parentId}/lineitems/{id}'] = ok(line);
  return { paths, components: { schemas } };
}

/**
 * The 2025.1 model: the 2022.1 document with the deltas file applied (added properties, the new
 * referenced schemas), so a response to a client pinning 2025.1 is checked property by property too.
 */
function spec2025(): Spec {
  const spec = load('cw-manage-2022.1-finance-subset.reconstructed.json');
  const deltas = JSON.parse(readFileSync(path.join(referenceDir, 'cw-manage-schema-deltas-2022.1-to-2025.1.json'), 'utf8')) as {
    schemas: Record<string, { addedProperties?: Row }>;
    newSchemas: Record<string, Row>;
  };
  const schemas = spec.components.schemas;
  for (const [name, delta] of Object.entries(deltas.schemas)) {
    const schema = schemas[name];
    if (schema && delta.addedProperties) schema['properties'] = { ...(schema['properties'] as Row), ...delta.addedProperties };
  }
  for (const [name, schema] of Object.entries(deltas.newSchemas)) schemas[name] = { ...schema, additionalProperties: false };
  return spec;
}

const specs = { '2022.1': load('cw-manage-2022.1-finance-subset.reconstructed.json'), '2026.4': load('openapi_get_filtered.json'), 'procurement-2025.1': procurementSupplement() };
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
for (const [version, spec] of Object.entries(specs)) ajv.addSchema(spec as object, version);
ajv.addSchema(spec2025() as object, '2025.1');

const validators = new Map<string, ValidateFunction>();
/** The validators for one operation's success response, in each spec that has the path. */
function validatorsFor(specPath: string, method: string): [string, ValidateFunction][] {
  const found: [string, ValidateFunction][] = [];
  for (const [version, spec] of Object.entries(specs)) {
    const responses = spec.paths[specPath]?.[method]?.responses;
    if (!responses) continue;
    const [status, response] = Object.entries(responses).find(([s]) => s.startsWith('2')) ?? [];
    const content = response?.content && Object.values(response.content)[0];
    if (!status || !content) continue;
    const key = `${version} ${method} ${specPath}`;
    let validate = validators.get(key);
    if (!validate) {
      const pointer = `${version}#/paths/${specPath.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/${status}/content/${encodeURIComponent(Object.keys(response.content ?? {})[0] ?? '').replace(/~/g, '~0').replace(/\//g, '~1')}/schema`;
      validate = ajv.compile({ $ref: pointer });
      validators.set(key, validate);
    }
    found.push([version, validate]);
  }
  return found;
}

describe('responses match the reference OpenAPI schemas', () => {
  const sandbox = withSandbox({ size: { invoices: 300 } });

  const check = async (specPath: string, url: string, method = 'get', body?: unknown): Promise<unknown> => {
    const r = await cw(sandbox(), url, { method: method.toUpperCase(), body });
    expect(r.status, `${method} ${url}: ${JSON.stringify(r.body).slice(0, 300)}`).toBeLessThan(300);
    const validators = validatorsFor(specPath, method);
    expect(validators.length, `no schema for ${method} ${specPath}`).toBeGreaterThan(0);
    for (const [version, validate] of validators) {
      const ok = validate(r.body);
      expect(ok, `${version} ${method} ${url}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`).toBe(true);
    }
    return r.body;
  };

  const collections: [specBase: string, url: string][] = [
    ['/finance/invoices', '/finance/invoices'],
    ['/company/companies', '/company/companies'],
    ['/company/companies/types', '/company/companies/types'],
    ['/company/contacts', '/company/contacts'],
    ['/finance/billingStatuses', '/finance/billingStatuses'],
    ['/finance/billingTerms', '/finance/billingTerms'],
    ['/finance/taxCodes', '/finance/taxCodes'],
    ['/finance/currencies', '/finance/currencies'],
    ['/system/locations', '/system/locations'],
    ['/system/members', '/system/members'],
    ['/project/projects', '/project/projects'],
    ['/procurement/purchaseorders', '/procurement/purchaseorders'],
    ['/finance/agreements', '/finance/agreements'],
    ['/finance/agreements/{parentId}/additions', '/finance/agreements/2/additions'],
    ['/procurement/purchaseorders/{parentId}/lineitems', '/procurement/purchaseorders/3/lineitems'],
    ['/procurement/products', '/procurement/products'],
    ['/procurement/catalog', '/procurement/catalog'],
    ['/procurement/warehouses', '/procurement/warehouses'],
    ['/procurement/warehouseBins', '/procurement/warehouseBins'],
    ['/procurement/shipmentmethods', '/procurement/shipmentmethods'],
    ['/company/companies/{parentId}/sites', '/company/companies/2/sites'],
    ['/finance/accounting/batches', '/finance/accounting/batches'],
    ['/finance/accounting/unpostedinvoices', '/finance/accounting/unpostedinvoices'],
    ['/finance/accounting/unpostedexpenses', '/finance/accounting/unpostedexpenses'],
    ['/finance/accounting/unpostedprocurement', '/finance/accounting/unpostedprocurement'],
    ['/finance/accounting/unpostedinvoices/{parentId}/taxableLevels', '/finance/accounting/unpostedinvoices/3/taxableLevels'],
    ['/finance/accounting/unpostedexpenses/{parentId}/taxableLevels', '/finance/accounting/unpostedexpenses/3/taxableLevels'],
    ['/finance/accounting/unpostedprocurement/{parentId}/taxableLevels', '/finance/accounting/unpostedprocurement/3/taxableLevels'],
    ['/finance/glAccounts', '/finance/glAccounts'],
  ];

  it.each(collections)('%s: list, count and by id', async (specBase, url) => {
    const list = (await check(specBase, `${url}?pageSize=1000`)) as Row[];
    expect(list.length).toBeGreaterThan(0);
    await check(`${specBase}/count`, `${url}/count`);
    await check(`${specBase}/{id}`, `${url}/${String(list[list.length - 1]?.['id'])}`);
  });

  it('/system/info', async () => {
    await check('/system/info', '/system/info');
  });

  it('payments: list, create, get, put, patch', async () => {
    const invoice = sandbox().control.invoices().find((i) => i['payments'] === 0 && (i['total'] as number) > 20);
    const base = `/finance/invoices/${String(invoice?.['id'])}/payments`;
    const specBase = '/finance/invoices/{parentId}/payments';
    const created = (await check(specBase, base, 'post', { amount: 12.5, paymentDate: '2024-02-01T00:00:00Z' })) as Row;
    await check(specBase, base);
    const one = `${base}/${String(created['id'])}`;
    await check(`${specBase}/{id}`, one);
    await check(`${specBase}/{id}`, one, 'put', { amount: 13, paymentDate: '2024-02-02T00:00:00Z' });
    await check(`${specBase}/{id}`, one, 'patch', [{ op: 'replace', path: 'amount', value: 14 }]);
  });

  it('GL export and batch creation return GLExport documents', async () => {
    const sb = sandbox();
    const doc = (await check('/finance/accounting/export', '/finance/accounting/export', 'post', { exportInvoicesFlag: true, exportExpensesFlag: true, exportProductsFlag: true })) as Row;
    for (const key of ['customers', 'transactions', 'vendors', 'purchaseTransactions', 'expenses', 'expenseBills']) expect((doc[key] as unknown[]).length, key).toBeGreaterThan(0);
    const ids = [...sb.control.glEntryIds('invoice', 1), ...sb.control.glEntryIds('expense', 1), ...sb.control.glEntryIds('procurement', 1)];
    await check('/finance/accounting/batches', '/finance/accounting/batches', 'post', { batchIdentifier: 'schema-test', processedRecordIds: ids });
    const batch = sb.control.created().batches.at(-1);
    const entries = `/finance/accounting/batches/${String(batch?.['id'])}/entries`;
    const list = (await check('/finance/accounting/batches/{parentId}/entries', entries)) as Row[];
    expect(list.map((e) => e['id'])).toEqual([...ids].sort((a, b) => a - b));
    await check('/finance/accounting/batches/{parentId}/entries/count', `${entries}/count`);
    await check('/finance/accounting/batches/{parentId}/entries/{id}', `${entries}/${String(ids[0])}`);
  });

  it('invoices: put and patch answer an Invoice', async () => {
    const invoice = sandbox().control.invoices()[4] as Row;
    const url = `/finance/invoices/${String(invoice['id'])}`;
    const current = (await check('/finance/invoices/{id}', url)) as Row;
    await check('/finance/invoices/{id}', url, 'put', { ...current, customerPO: 'PO-PUT' });
    await check('/finance/invoices/{id}', url, 'patch', [{ op: 'replace', path: 'customerPO', value: 'PO-PATCH' }]);
  });

  it('the validators are strict: a misspelt field or a wrong type fails', () => {
    const [[, validate] = ['', () => true]] = validatorsFor('/finance/invoices/{id}', 'get');
    expect(validate({ id: 1, type: 'Standard', company: { id: 1 } })).toBe(true);
    expect(validate({ id: 1, type: 'Standard', company: { id: 1 }, invoiceNumbr: '1' })).toBe(false);
    expect(validate({ id: '1', type: 'Standard', company: { id: 1 } })).toBe(false);
    expect(validate({ id: 1, type: 'Standard', company: { id: 1, nickname: 'x' } })).toBe(false);
    const [[, validateBin] = ['', () => true]] = validatorsFor('/procurement/warehouseBins/{id}', 'get');
    expect(validateBin({ id: 1, name: 'A-01', warehouse: { id: 1, name: 'Main' } })).toBe(true);
    expect(validateBin({ id: 1, name: 'A-01', warehouse: { id: 1, nickname: 'Main' } })).toBe(false);
    expect(validateBin({ id: 1, name: 'A-01' })).toBe(false);
  });

  it('error bodies match ErrorResponseMessage', async () => {
    const validate = ajv.compile({ $ref: '2022.1#/components/schemas/ErrorResponseMessage' });
    for (const url of ['/finance/invoices?pageSize=0', '/finance/invoices?conditions=(', '/finance/invoices/99999']) {
      const r = await cw(sandbox(), url);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(validate(r.body), ajv.errorsText(validate.errors)).toBe(true);
    }
  });
});

describe('a client pinning version=2025.1 gets the 2025.1 shapes (checked against the deltas file)', () => {
  const sandbox = withSandbox({ size: { invoices: 60 } });
  const pinned = { Accept: 'application/vnd.connectwise.com+json; version=2025.1' };
  const validate25 = (name: string): ValidateFunction => ajv.compile({ $ref: `2025.1#/components/schemas/${name}` });
  const validate22 = (name: string): ValidateFunction => ajv.compile({ $ref: `2022.1#/components/schemas/${name}` });

  const get = async <T>(url: string, headers = pinned): Promise<T> => {
    const r = await cw<T>(sandbox(), url, { headers });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    return r.body;
  };

  it('invoices carry location/department/territory references, status.isClosed and, once batched, glBatch', async () => {
    const sb = sandbox();
    await cw(sb, '/finance/accounting/batches', { method: 'POST', body: { processedRecordIds: sb.control.glEntryIds('invoice', 2) } });
    const invoices = await get<Row[]>('/finance/invoices?pageSize=100');
    const validate = validate25('Invoice');
    for (const invoice of invoices) expect(validate(invoice), ajv.errorsText(validate.errors)).toBe(true);
    const second = invoices.find((i) => i['id'] === 2) as Row;
    expect(second['location']).toMatchObject({ id: second['locationId'], name: expect.any(String) });
    expect(second['territory']).toMatchObject({ id: second['territoryId'] });
    expect(second['department']).toMatchObject({ id: 10 });
    expect(second['glBatch']).toMatchObject({ id: expect.any(Number), _info: { batch_href: expect.stringContaining('/finance/accounting/batches/') } });
    const closed = invoices.find((i) => (i['status'] as Row)['name'] === 'Closed') as Row;
    expect((closed['status'] as Row)['isClosed']).toBe(true);
    // Unpinned clients get the newest model, 2022.1 clients never see these, and 2025.1 fields are
    // queryable only by 2025.1 clients.
    const old = await get<Row>('/finance/invoices/2', { Accept: 'application/json' });
    expect(old).toHaveProperty('glBatch');
    const v22 = await get<Row>('/finance/invoices/2', { Accept: 'application/vnd.connectwise.com+json; version=2022.1' });
    expect(v22).not.toHaveProperty('glBatch');
    expect(validate22('Invoice')(v22)).toBe(true);
    expect(await get<Row[]>('/finance/invoices?conditions=glBatch/id>0&fields=id')).toEqual([{ id: 2 }]);
    const refused = await cw<Row>(sb, '/finance/invoices?conditions=glBatch/id>0', { headers: { Accept: 'application/vnd.connectwise.com+json; version=2022.1' } });
    expect(refused.status).toBe(400);
  });

  it('payments are InvoicePayments with the invoice total and balance', async () => {
    const sb = sandbox();
    const invoice = sb.control.invoices().find((i) => i['payments'] === 0 && (i['total'] as number) > 20) as Row;
    const created = await cw<Row>(sb, `/finance/invoices/${String(invoice['id'])}/payments`, { method: 'POST', body: { amount: 10 }, headers: pinned });
    expect(created.status).toBe(201);
    const validate = validate25('Payment');
    expect(validate(created.body), ajv.errorsText(validate.errors)).toBe(true);
    expect(created.body).toMatchObject({ invoiceTotal: invoice['total'], invoiceBalance: expect.closeTo((invoice['total'] as number) - 10, 2), invoice: { invoiceDate: invoice['date'] } });
    const list = await get<Row[]>(`/finance/invoices/${String(invoice['id'])}/payments`);
    expect(validate(list[0]), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('unposted invoices carry location, department and what they bill', async () => {
    const list = await get<Row[]>('/finance/accounting/unpostedinvoices?pageSize=20');
    const validate = validate25('UnpostedInvoice');
    for (const record of list) expect(validate(record), ajv.errorsText(validate.errors)).toBe(true);
    expect(list[0]).toMatchObject({ location: { id: list[0]?.['locationId'] }, hasTime: expect.any(Boolean), hasProducts: expect.any(Boolean), hasExpenses: false });
  });
});
