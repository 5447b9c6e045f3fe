// GET /metrics: Prometheus text format (prom-client). Counters follow the events the agent and the HTTP
// layer publish (src/events.ts); the folder gauges are read when scraped. Each server has its own
// registry, so two agents in one process (tests) never mix their numbers.
import type * as PromClient from 'prom-client';
import { requireCommonJs } from '../commonjs.js';
import type { Workspace } from '../agent/workspace.js';
import { events } from '../events.js';
import { claimedFiles, waitingFiles } from '../agent/intake/work-files.js';

const client = requireCommonJs<typeof PromClient>('prom-client');

const RUN_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** The kind of endpoint, for a label with few values: `/v4_6_release/apis/3.0/finance/invoices/12?x` → `finance/invoices`. */
export function endpointFamily(path: string): string {
  const segments = (path.split('?')[0] ?? '')
    .split('/')
    .filter((s) => s !== '' && !/^v\d/i.test(s) && s !== 'apis' && !/^\d+(\.\d+)*$/.test(s) && !/^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(s));
  return segments.slice(0, 3).join('/') || '/';
}

export interface MetricsSources {
  workspace: Workspace;
  isPaused: () => boolean;
}

export class Metrics {
  readonly registry = new client.Registry();
  private readonly unsubscribers: (() => void)[] = [];

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'dropwise_' });
    const claimed = new client.Counter({ name: 'dropwise_files_claimed_total', help: 'Files taken from the inbox (their task is known once routed: see dropwise_files_processed_total)', registers });
    const processed = new client.Counter({
      name: 'dropwise_files_processed_total',
      help: 'Claimed files whose pass ended, by task and result: done, failed, retrying (left for a retry), interrupted (by a stop)',
      labelNames: ['task', 'result'] as const,
      registers,
    });
    const runs = new client.Counter({ name: 'dropwise_runs_total', help: 'Task runs, by task, trigger and status', labelNames: ['task', 'trigger', 'status'] as const, registers });
    const duration = new client.Histogram({ name: 'dropwise_run_duration_seconds', help: 'How long task runs took', labelNames: ['task', 'trigger'] as const, buckets: RUN_BUCKETS, registers });
    const records = new client.Counter({ name: 'dropwise_records_total', help: 'Records handled by task runs, by task and result (ok, failed)', labelNames: ['task', 'result'] as const, registers });
    const bytes = new client.Counter({ name: 'dropwise_output_bytes_total', help: 'Bytes of output files committed, by outbox folder', labelNames: ['folder'] as const, registers });
    const requests = new client.Counter({
      name: 'dropwise_http_requests_total',
      help: 'HTTP attempts to the connections\' APIs, by connection, endpoint family and status ("none" when no answer came)',
      labelNames: ['connection', 'family', 'status'] as const,
      registers,
    });
    const limited = new client.Counter({ name: 'dropwise_http_rate_limited_total', help: 'Answers 429 (rate limited), by connection and endpoint family', labelNames: ['connection', 'family'] as const, registers });
    const retryAfter = new client.Counter({ name: 'dropwise_http_retry_after_wait_seconds_total', help: 'Time spent waiting as a Retry-After header asked, by connection', labelNames: ['connection'] as const, registers });
    const retryWait = new client.Counter({ name: 'dropwise_http_retry_wait_seconds_total', help: 'Time spent waiting before retries of any kind, by connection', labelNames: ['connection'] as const, registers });
    const skipped = new client.Counter({ name: 'dropwise_schedule_skipped_total', help: 'Scheduled runs skipped because the previous run was still going, by task', labelNames: ['task'] as const, registers });
    const notifications = new client.Counter({ name: 'dropwise_notifications_total', help: 'Notifications, by channel, event and result (sent, failed)', labelNames: ['channel', 'event', 'result'] as const, registers });

    const { workspace } = sources;
    // prom-client collects every metric of a scrape at once: the two inbox gauges share one listing.
    let listing: ReturnType<typeof waitingFiles> | undefined;
    const inbox = () => (listing ??= waitingFiles(workspace).finally(() => (listing = undefined)));
    new client.Gauge({
      name: 'dropwise_inbox_waiting_files',
      help: 'Files waiting in the inbox',
      registers,
      async collect() {
        this.set((await inbox()).count);
      },
    });
    new client.Gauge({
      name: 'dropwise_inbox_oldest_waiting_seconds',
      help: 'Age of the oldest file waiting in the inbox (0 when none)',
      registers,
      async collect() {
        this.set((await inbox()).oldestAgeMs / 1000);
      },
    });
    new client.Gauge({
      name: 'dropwise_processing_files',
      help: 'Files in work/processing (being processed or waiting for a retry)',
      registers,
      async collect() {
        this.set((await claimedFiles(workspace)).length);
      },
    });
    new client.Gauge({
      name: 'dropwise_intake_paused',
      help: '1 while intake is paused (dropwise pause), else 0',
      registers,
      collect() {
        this.set(sources.isPaused() ? 1 : 0);
      },
    });

    const RESULT = { archived: 'done', deleted: 'done', failed: 'failed', retry: 'retrying', interrupted: 'interrupted' } as const;
    this.unsubscribers.push(
      events.fileClaimed.subscribe(() => claimed.inc()),
      events.fileProcessed.subscribe((e) => processed.inc({ task: e.task ?? 'unrouted', result: RESULT[e.disposition] })),
      events.runFinished.subscribe((e) => {
        runs.inc({ task: e.task, trigger: e.trigger, status: e.status });
        duration.observe({ task: e.task, trigger: e.trigger }, e.durationMs / 1000);
        records.inc({ task: e.task, result: 'ok' }, e.recordsOk);
        records.inc({ task: e.task, result: 'failed' }, e.recordsFailed);
      }),
      events.outputCommitted.subscribe((e) => bytes.inc({ folder: e.folder }, e.bytes)),
      events.httpAttempt.subscribe((e) => {
        const family = endpointFamily(e.path);
        requests.inc({ connection: e.connection, family, status: e.status === undefined ? 'none' : String(e.status) });
        if (e.status === 429) limited.inc({ connection: e.connection, family });
      }),
      events.httpRetryWait.subscribe((e) => {
        retryWait.inc({ connection: e.connection }, e.waitMs / 1000);
        if (e.retryAfter) retryAfter.inc({ connection: e.connection }, e.waitMs / 1000);
      }),
      events.scheduleSkipped.subscribe((e) => skipped.inc({ task: e.task })),
      events.notificationSent.subscribe((e) => notifications.inc({ channel: e.channel, event: e.event, result: e.ok ? 'sent' : 'failed' })),
    );
  }

  /** The text a Prometheus scrape reads. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.registry.clear();
  }
}
