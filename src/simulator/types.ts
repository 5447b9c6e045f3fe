// Public option and size types shared by the server, the data generator and the control API.

export interface SandboxSize {
  companies: number;
  invoices: number;
  unpostedInvoices: number;
  unpostedExpenses: number;
  unpostedProcurement: number;
  batches: number;
  traedeInvoices: number;
  detailLinesPerTransaction: number;
}

export const DEFAULT_SIZE: SandboxSize = {
  companies: 20,
  invoices: 250,
  unpostedInvoices: 40,
  unpostedExpenses: 15,
  unpostedProcurement: 15,
  batches: 5,
  traedeInvoices: 25,
  detailLinesPerTransaction: 3,
};

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 1. */
  seed?: number;
  size?: Partial<SandboxSize>;
  /** Added before every API response (benchmarks). */
  latencyMs?: number;
  /** ConnectWise requests a minute before 429s (a tenant's throttle); 0 or unset: no cap. */
  rateLimit?: number;
  /** Serve HTTPS with a self-signed certificate, written to `certFile` or a fresh temporary file. */
  tls?: boolean | { certFile?: string };
}

export type FaultKind = '403' | '429' | '500' | '503' | 'slow' | 'drop' | 'truncate';

export interface FaultSpec {
  method?: string;
  /** A glob (`/finance/invoices*`, `*` any run, `?` one char) or a RegExp source; matched against the path inside the API base and the full path. */
  path: string;
  kind: FaultKind;
  count: number;
  /** Seconds or an HTTP date; omit for a 429 without Retry-After. */
  retryAfter?: number | string;
  /** For 'slow' (default 2000 ms). */
  delayMs?: number;
}

export interface RequestCounts {
  total: number;
  /** e.g. "GET /finance/invoices/{id}/payments" or "GET /v10/invoices/export". */
  byRoute: Record<string, number>;
}

export interface TraedeMark {
  invoiceId: number;
  note: string | undefined;
  markedAt: string;
}
