// The sandbox control API. In process it is `sandbox.control`; over HTTP the same powers are JSON
// routes under /_sandbox/ — no authentication, because this is a local test server holding only
// generated data, and never mounted under the API prefixes:
//
//   GET    /_sandbox                      urls, credentials, seed and size
//   POST   /_sandbox/reset                {seed?, size?} regenerate data deterministically
//   POST   /_sandbox/modify               {entity, id, patch?} change a record; lastUpdated moves to now
//   POST   /_sandbox/invoices             {…partial invoice} add an invoice (dateEntered = now)
//   POST   /_sandbox/invoices/{id}/touch  stamp an invoice as modified now
//   GET    /_sandbox/invoices/{id}        one invoice as stored
//   GET    /_sandbox/requests             {total, byRoute}; DELETE resets the counts
//   GET    /_sandbox/created              {payments, batches} created by clients since reset
//   GET    /_sandbox/payments[?invoiceId=N]  current payments
//   GET    /_sandbox/faults               active faults; POST adds one (FaultSpec); DELETE clears
//   POST   /_sandbox/latency              {ms} latency added before every API response
//   POST   /_sandbox/rate-limit           {perMinute} ConnectWise requests a minute before 429s (0 = none);
//                                          GET gives {perMinute, refused}
//   GET    /_sandbox/quirks               tenant quirks; POST sets some (QuirkSettings: navigableOnly,
//                                          maxQueryString); DELETE clears them
//   GET    /_sandbox/traede/marks?system_id=S   Traede invoices marked exported for S
//   POST   /_sandbox/traede/invoices/{id}/touch stamp a Traede invoice's updated_at
//
// Entities for modify: invoices, payments, companies, sites, contacts, billingStatuses,
// billingTerms, taxCodes, currencies, locations, members, projects, catalog, purchaseOrders,
// products, batches, traedeInvoices.
import { SANDBOX_CREDENTIALS } from './auth.js';
import type { LedgerKind } from './data/ledger.js';
import { ApiError, notFound } from './errors.js';
import type { Json } from './query/list-query.js';
import type { QuirkSettings } from './quirks.js';
import { Router, type RouteContext } from './router.js';
import type { SandboxState } from './state.js';
import type { FaultSpec, RequestCounts, SandboxSize, TraedeMark } from './types.js';

export interface SandboxControl {
  reset(opts?: { seed?: number; size?: Partial<SandboxSize> }): void;
  readonly seed: number;
  readonly size: SandboxSize;
  touchInvoice(id: number): Json;
  /** Shallow-merges `patch` into the record and stamps it modified now; throws when there is no such record. */
  modify(entity: string, id: number, patch?: Json): Json;
  addInvoice(partial?: Json): Json;
  addTraedeInvoice(partial?: Json): Json;
  requests(): RequestCounts;
  resetRequests(): void;
  created(): { payments: Json[]; batches: Json[] };
  payments(): Json[];
  paymentsForInvoice(invoiceId: number): Json[];
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  faults(): (FaultSpec & { remaining: number })[];
  setLatency(ms: number): void;
  /** ConnectWise requests a minute before 429s with Retry-After; 0 turns the cap off. */
  setRateLimit(perMinute: number): void;
  rateLimit(): { perMinute: number; refused: number };
  /** Merges tenant quirks (see quirks.ts) over those already set. */
  setQuirks(settings: QuirkSettings): void;
  clearQuirks(): void;
  quirks(): QuirkSettings;
  traedeMarks(systemId: string): TraedeMark[];
  invoice(id: number): Json | undefined;
  invoices(): Json[];
  /** The unposted list form of a record still unposted. */
  unposted(kind: LedgerKind, id: number): Json | undefined;
  unpostedIds(kind: LedgerKind): number[];
  /** The GL entry ids a record owns (what POST /finance/accounting/batches takes). */
  glEntryIds(kind: LedgerKind, id: number): number[];
  batches(): Json[];
  traedeInvoice(id: number): Json | undefined;
}

export function createControl(state: SandboxState): SandboxControl {
  const control: SandboxControl = {
    reset: (opts) => state.reset(opts),
    get seed() {
      return state.data.seed;
    },
    get size() {
      return { ...state.data.size };
    },
    touchInvoice: (id) => control.modify('invoices', id),
    modify(entity, id, patch) {
      const record = state.data.modify(entity, id, patch);
      if (!record) throw notFound(`${entity} ${id} not found`);
      return record;
    },
    addInvoice: (partial) => state.data.addInvoice(partial),
    addTraedeInvoice: (partial) => state.data.traede.add(partial),
    requests: () => state.requests(),
    resetRequests: () => state.resetRequests(),
    created: () => structuredClone(state.data.createdLog),
    payments: () => [...state.data.payments.values()],
    paymentsForInvoice(invoiceId) {
      const id = state.data.paymentByInvoice.get(invoiceId);
      const payment = id === undefined ? undefined : state.data.payments.get(id);
      return payment ? [payment] : [];
    },
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    faults: () => state.faults.list(),
    setLatency(ms) {
      state.latencyMs = Math.max(0, ms);
    },
    setRateLimit: (perMinute) => state.rateLimit.set(perMinute),
    rateLimit: () => ({ perMinute: state.rateLimit.requestsPerMinute, refused: state.rateLimit.refusedCount }),
    setQuirks: (settings) => state.quirks.set(settings),
    clearQuirks: () => state.quirks.clear(),
    quirks: () => state.quirks.list(),
    traedeMarks: (systemId) => [...(state.data.traede.marks.get(systemId)?.values() ?? [])],
    invoice: (id) => state.data.invoices.get(id),
    invoices: () => [...state.data.invoices.values()],
    unposted: (kind, id) => state.data.ledger.unposted(kind, id),
    unpostedIds: (kind) => [...state.data.ledger.unpostedIds(kind)],
    glEntryIds: (kind, id) => state.data.ledger.records.glEntryIds(kind, id),
    batches: () => [...state.data.ledger.batches.values()],
    traedeInvoice: (id) => state.data.traede.get(id),
  };
  return control;
}

async function objectBody(ctx: RouteContext): Promise<Json> {
  const body = (await ctx.body()) ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, { code: 'BadRequest', message: 'Send a JSON object.' });
  return body as Json;
}

export function controlRouter(control: SandboxControl, describe: () => Json): Router {
  const ok = (body: unknown): { status: number; body: unknown } => ({ status: 200, body });
  return new Router()
    .add('GET', '/_sandbox', () => ok({ ...describe(), credentials: SANDBOX_CREDENTIALS, seed: control.seed, size: control.size }))
    .add('POST', '/_sandbox/reset', async (ctx) => {
      const body = await objectBody(ctx);
      control.reset({ seed: typeof body['seed'] === 'number' ? body['seed'] : undefined, size: (body['size'] as Partial<SandboxSize> | undefined) ?? undefined });
      return ok({ seed: control.seed, size: control.size });
    })
    .add('POST', '/_sandbox/modify', async (ctx) => {
      const body = await objectBody(ctx);
      return ok(control.modify(String(body['entity']), Number(body['id']), (body['patch'] as Json | undefined) ?? {}));
    })
    .add('POST', '/_sandbox/invoices', async (ctx) => ({ status: 201, body: control.addInvoice(await objectBody(ctx)) }))
    .add('GET', '/_sandbox/invoices/{id}', (ctx) => {
      const invoice = control.invoice(ctx.params['id'] ?? 0);
      if (!invoice) throw notFound(`Invoice ${ctx.params['id']} not found`);
      return ok(invoice);
    })
    .add('POST', '/_sandbox/invoices/{id}/touch', (ctx) => ok(control.touchInvoice(ctx.params['id'] ?? 0)))
    .add('GET', '/_sandbox/requests', () => ok(control.requests()))
    .add('DELETE', '/_sandbox/requests', () => {
      control.resetRequests();
      return { status: 204 };
    })
    .add('GET', '/_sandbox/created', () => ok(control.created()))
    .add('GET', '/_sandbox/payments', (ctx) => {
      const invoiceId = ctx.url.searchParams.get('invoiceId');
      return ok(invoiceId === null ? control.payments() : control.paymentsForInvoice(Number(invoiceId)));
    })
    .add('GET', '/_sandbox/faults', () => ok(control.faults()))
    .add('POST', '/_sandbox/faults', async (ctx) => {
      const body = await objectBody(ctx);
      try {
        control.injectFault(body as unknown as FaultSpec);
      } catch (error) {
        throw new ApiError(400, { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) });
      }
      return { status: 201, body: control.faults() };
    })
    .add('DELETE', '/_sandbox/faults', () => {
      control.clearFaults();
      return { status: 204 };
    })
    .add('POST', '/_sandbox/latency', async (ctx) => {
      const body = await objectBody(ctx);
      control.setLatency(Number(body['ms'] ?? 0));
      return ok({ latencyMs: Number(body['ms'] ?? 0) });
    })
    .add('GET', '/_sandbox/rate-limit', () => ok(control.rateLimit()))
    .add('POST', '/_sandbox/rate-limit', async (ctx) => {
      const body = await objectBody(ctx);
      try {
        control.setRateLimit(Number(body['perMinute'] ?? 0));
      } catch (error) {
        throw new ApiError(400, { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) });
      }
      return ok(control.rateLimit());
    })
    .add('GET', '/_sandbox/quirks', () => ok(control.quirks()))
    .add('POST', '/_sandbox/quirks', async (ctx) => {
      const body = await objectBody(ctx);
      try {
        control.setQuirks(body as QuirkSettings);
      } catch (error) {
        throw new ApiError(400, { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) });
      }
      return ok(control.quirks());
    })
    .add('DELETE', '/_sandbox/quirks', () => {
      control.clearQuirks();
      return { status: 204 };
    })
    .add('GET', '/_sandbox/traede/marks', (ctx) => ok(control.traedeMarks(ctx.url.searchParams.get('system_id') ?? '')))
    .add('POST', '/_sandbox/traede/invoices/{id}/touch', (ctx) => ok(control.modify('traedeInvoices', ctx.params['id'] ?? 0)));
}
