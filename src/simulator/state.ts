// Everything one running sandbox holds: its data (replaced on reset), faults, request counts and
// latency. Shared by the server, the routes and the control API.
import { SandboxData } from './data/store.js';
import { Faults } from './faults.js';
import { Quirks } from './quirks.js';
import { RateLimit } from './rate-limit.js';
import { routeKey } from './router.js';
import type { RequestCounts, SandboxSize } from './types.js';

export class SandboxState {
  data: SandboxData;
  readonly faults = new Faults();
  readonly quirks = new Quirks();
  readonly rateLimit = new RateLimit();
  latencyMs: number;
  private counts: RequestCounts = { total: 0, byRoute: {} };

  constructor(
    readonly apiUrl: string,
    seed: number,
    size: Partial<SandboxSize>,
    latencyMs: number,
  ) {
    this.data = new SandboxData(apiUrl, seed, size);
    this.latencyMs = latencyMs;
  }

  reset(opts: { seed?: number; size?: Partial<SandboxSize> } = {}): void {
    this.data = new SandboxData(this.apiUrl, opts.seed ?? this.data.seed, opts.size ?? this.data.size);
  }

  count(method: string, path: string): void {
    const key = routeKey(method, path);
    this.counts.total++;
    this.counts.byRoute[key] = (this.counts.byRoute[key] ?? 0) + 1;
  }

  requests(): RequestCounts {
    return { total: this.counts.total, byRoute: { ...this.counts.byRoute } };
  }

  resetRequests(): void {
    this.counts = { total: 0, byRoute: {} };
  }
}
