// The configuration schema: every key with its doc, default, format and environment variable.
// Named connections, tasks and route rules are maps/lists whose entries convict cannot describe
// key by key; their entries are checked in ./entries.ts.
import type Convict from 'convict';
import { requireCommonJs } from '../commonjs.js';
import { checkRoutes } from './entries.js';
import { checkDailySummary, checkEmailDestinations, checkWebhookDestinations } from './notify.js';

const convict = requireCommonJs<typeof Convict>('convict');

// Named formats so that values from environment variables are coerced to numbers first.
convict.addFormat({
  name: 'positive-int',
  coerce: (v: unknown) => Number(v),
  validate: (value: unknown) => {
    if (!Number.isInteger(value) || (value as number) < 1) throw new Error('must be a whole number of 1 or more');
  },
});
convict.addFormat({
  name: 'non-negative-int',
  coerce: (v: unknown) => Number(v),
  validate: (value: unknown) => {
    if (!Number.isInteger(value) || (value as number) < 0) throw new Error('must be a whole number of 0 or more');
  },
});

// convict overlays a leaf whose format is named 'object' as one value instead of merging into it.
convict.addFormat({
  name: 'object',
  validate: (value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('must be an object of named entries');
  },
});

export const schema = {
  folders: {
    inbox: { doc: 'Folder other systems drop files into (often a shared folder).', format: String, default: 'inbox', env: 'DROPWISE_INBOX' },
    success: { doc: 'Where successful results and success files are written.', format: String, default: 'outbox/success', env: 'DROPWISE_SUCCESS' },
    fail: { doc: 'Where failed inputs, fail files and .error.xml files are written.', format: String, default: 'outbox/fail', env: 'DROPWISE_FAIL' },
    archive: { doc: 'Where processed originals are kept, in dated sub-folders.', format: String, default: 'archive', env: 'DROPWISE_ARCHIVE' },
    work: { doc: 'Scratch space: files being processed, temp outputs, the claim journal. Must be on the same volume as the inbox.', format: String, default: 'work', env: 'DROPWISE_WORK' },
    state: { doc: 'The state store: run history, watermarks, truth table. Back it up; losing it can mean duplicates.', format: String, default: 'state', env: 'DROPWISE_STATE' },
  },
  agent: {
    name: { doc: 'This agent\'s name, unique among the agents sharing a PostgreSQL state store: it names the agent\'s runs and, with state.backend "postgres", its own folder under folders.work. Empty: the host name.', format: String, default: '', env: 'DROPWISE_AGENT_NAME' },
  },
  state: {
    backend: { doc: 'Where the state lives: "local" (files in folders.state, one agent) or "postgres" (state.postgres, shared by several agents on one inbox).', format: ['local', 'postgres'], default: 'local', env: 'DROPWISE_STATE_BACKEND' },
    postgres: {
      url: { doc: 'The PostgreSQL connection URL (postgres://user:password@host:5432/db); write it "env:VAR_NAME". Also read from DROPWISE_STATE_POSTGRES_URL.', format: String, default: '', sensitive: true, env: 'DROPWISE_STATE_POSTGRES_URL' },
      poolSize: { doc: 'Connections each agent keeps to PostgreSQL at most.', format: 'positive-int', default: 10 },
      schema: { doc: 'The schema dropwise\'s tables live in (created and migrated at start).', format: String, default: 'dropwise' },
      leaseSeconds: { doc: 'An agent that has not renewed its lease for this long is taken for dead, and another adopts its work (seconds).', format: 'positive-int', default: 30 },
    },
  },
  watch: {
    stabilityMs: { doc: 'A file is taken only after its size and mtime stayed unchanged this long (ms).', format: 'non-negative-int', default: 2000, env: 'DROPWISE_STABILITY_MS' },
    sweepMs: { doc: 'How often the inbox is listed in full, to catch what file events missed (ms).', format: 'positive-int', default: 30000, env: 'DROPWISE_SWEEP_MS' },
    usePolling: { doc: 'Poll the inbox instead of using OS file events (turn on for network shares).', format: Boolean, default: false, env: 'DROPWISE_USE_POLLING' },
    pollIntervalMs: { doc: 'With usePolling: how often the inbox is listed, in place of file events (ms).', format: 'positive-int', default: 1000 },
    concurrency: { doc: 'How many inbox files are processed at the same time.', format: 'positive-int', default: 2, env: 'DROPWISE_CONCURRENCY' },
  },
  processing: {
    originals: { doc: 'What happens to an input once its results are safe: "archive" (moved to archive/<date>/) or "delete".', format: ['archive', 'delete'], default: 'archive' },
    maxFileBytes: { doc: 'Inputs larger than this are refused whole (bytes).', format: 'positive-int', default: 2 * 1024 * 1024 * 1024 },
    recordConcurrency: { doc: 'How many records of one import file are sent to the API at the same time.', format: 'positive-int', default: 8 },
  },
  log: {
    level: { doc: 'Log level: error, warn, info, debug.', format: ['error', 'warn', 'info', 'debug'], default: 'info', env: 'DROPWISE_LOG_LEVEL' },
    file: { doc: 'JSON-lines log file (rotated by size). Empty string for none.', format: String, default: 'logs/dropwise.log', env: 'DROPWISE_LOG_FILE' },
    maxSizeBytes: { doc: 'Rotate the log file at this size (bytes).', format: 'positive-int', default: 10 * 1024 * 1024 },
    maxFiles: { doc: 'How many rotated log files to keep.', format: 'positive-int', default: 10 },
    console: { doc: 'Write readable log lines to the console.', format: Boolean, default: true },
  },
  http: {
    timeoutMs: { doc: 'Longest wait for a response (headers or the next body chunk) (ms).', format: 'positive-int', default: 60000 },
    connectTimeoutMs: { doc: 'Longest wait to open a connection (ms).', format: 'positive-int', default: 10000 },
    maxAttempts: { doc: 'Attempts per request for 429, 5xx and dropped connections (1 = no retry).', format: 'positive-int', default: 6 },
    retryBudgetMs: { doc: 'Total time one request may spend retrying (ms).', format: 'positive-int', default: 120000 },
    baseDelayMs: { doc: 'First retry delay; doubles each attempt, with jitter (ms).', format: 'positive-int', default: 500 },
    maxDelayMs: { doc: 'Longest single retry delay (ms).', format: 'positive-int', default: 30000 },
    connections: { doc: 'Keep-alive connections per remote host.', format: 'positive-int', default: 8 },
  },
  sandbox: {
    mode: { doc: '"auto": run the embedded ConnectWise/Traede sandbox when no connection is configured; "on": always; "off": never.', format: ['auto', 'on', 'off'], default: 'auto', env: 'DROPWISE_SANDBOX' },
    port: { doc: 'Port of the embedded sandbox (0 = a free port).', format: 'port', default: 0, env: 'DROPWISE_SANDBOX_PORT' },
    seed: { doc: 'Seed of the sandbox data.', format: 'non-negative-int', default: 1 },
  },
  api: {
    enabled: { doc: 'Serve the local HTTP API (health, readiness, metrics, pause/resume) while the agent runs.', format: Boolean, default: true, env: 'DROPWISE_API_ENABLED' },
    host: { doc: 'Address the API listens on. Anything but a loopback address (127.0.0.1, ::1, localhost) needs api.token.', format: String, default: '127.0.0.1', env: 'DROPWISE_API_HOST' },
    port: { doc: 'Port of the API (0 = a free port, printed and logged at start).', format: 'port', default: 8470, env: 'DROPWISE_API_PORT' },
    token: { doc: 'Bearer token every API request must carry; write it "env:VAR_NAME". Empty: no token, loopback only.', format: String, default: '', sensitive: true, env: 'DROPWISE_API_TOKEN' },
    stuckAfterMs: { doc: 'A file in work/processing longer than this makes /readyz not ready (ms).', format: 'positive-int', default: 60 * 60_000 },
  },
  history: {
    keepDays: { doc: 'Days of run history kept (state/runs/, one file per day); older days are deleted. 0 keeps every day.', format: 'non-negative-int', default: 90 },
  },
  retention: {
    archiveDays: { doc: 'Processed originals in the archive folder older than this are deleted (days; 0 keeps them forever).', format: 'non-negative-int', default: 0 },
    successDays: { doc: 'Files in outbox/success older than this are deleted (days; 0 keeps them forever).', format: 'non-negative-int', default: 0 },
    failDays: { doc: 'Files in outbox/fail older than this are deleted, a failed file together with its .error.xml (days; 0 keeps them forever).', format: 'non-negative-int', default: 0 },
    artifactDays: { doc: 'Files runs leave in the state folder for later (the GL export\'s entry id lists, state/gl-entry-ids) older than this are deleted (days; 0 keeps them forever).', format: 'non-negative-int', default: 0 },
  },
  routes: {
    doc: 'Route rules, checked in order before root-element routing: [{ "pattern": "payments-*.xml", "task": "<task type or configured task name>", "connection": "main" }].',
    format: checkRoutes,
    default: [] as unknown[],
  },
  connections: {
    doc: 'Named connections: { "main": { "type": "connectwise", ... }, "shop": { "type": "traede", ... } }. Secret values may be written "env:VAR_NAME".',
    // 'object' makes convict treat the map as one value; its entries are checked by checkConnections.
    format: 'object',
    sensitive: true,
    default: {} as Record<string, unknown>,
  },
  tasks: {
    doc: 'Named tasks: { "nightly-invoices": { "type": "connectwise.export-invoices", "connection": "main", "schedule": "0 2 * * *", "timezone": "Europe/Copenhagen", "catchUp": true, "settings": {...} } }.',
    format: 'object',
    default: {} as Record<string, unknown>,
  },
  notify: {
    email: {
      doc: 'E-mail destinations: [{ "to": ["ops@example.com"], "from": "dropwise <dropwise@example.com>", "events": [...], "smtp": { "host", "port", "secure", "requireTLS", "user", "password": "env:VAR_NAME" } }].',
      format: checkEmailDestinations,
      sensitive: true,
      default: [] as unknown[],
    },
    webhooks: {
      doc: 'Webhook destinations: [{ "url": "env:VAR_NAME", "format": "json" | "teams" | "slack", "events": [...], "headers": { "Name": "env:VAR_NAME" } }].',
      format: checkWebhookDestinations,
      sensitive: true,
      default: [] as unknown[],
    },
    throttleMinutes: { doc: 'The same cause (task and error code) is sent at most once per this many minutes per destination; the next message counts what was held back.', format: 'positive-int', default: 15 },
    stuckMinutes: { doc: 'A file in work/processing for longer than this is reported as stuck (minutes).', format: 'positive-int', default: 60 },
    dailySummary: { doc: 'Local time "HH:MM" of the daily summary (runs, records, failures per task over the last 24 h); "" for none.', format: checkDailySummary, default: '' },
  },
};

export type ConfigSchema = typeof schema;

export function createConvict(env: NodeJS.ProcessEnv): Convict.Config<Record<string, unknown>> {
  // args: [] so that convict never reads dropwise's own command line.
  return convict(schema as unknown as Convict.Schema<Record<string, unknown>>, { env, args: [] });
}
