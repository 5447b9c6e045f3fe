// The truth table at 1,000,000 entries, PostgreSQL (a server of its own, commits flushed to disk)
// beside the local sharded store, in one run: a lookup one by one (get, a round trip each with
// PostgreSQL), the payments import's batched read (getMany per window of 100 records), and a putMany
// of the import's batch of 200 new entries (durable when it returns, both). Each row is the median of
// ROUNDS rounds over keys spread across the table. BENCH_TRUTH_ENTRIES sizes the table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { migrate } from '../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../src/state/postgres/migrations.js';
import { openPostgresStateStore } from '../../src/state/postgres/index.js';
import type { TruthEntry, TruthTable } from '../../src/state/store.js';
import { ShardedTruthTable, TRUTH_FOLD_AT } from '../../src/state/truth-table.js';
import { startPostgresServer } from '../../test/support/postgres-server.js';
import { report, round } from './harness.js';

const ENTRIES = Number(process.env['BENCH_TRUTH_ENTRIES'] ?? 1_000_000);
const ROUNDS = Number(process.env['BENCH_TRUTH_ROUNDS'] ?? 7);
/** Lookups per round; the import's read-ahead window; its truth batch. */
const LOOKUPS = 500;
const WINDOW = 100;
const BATCH = 200;
const TABLE = `Truth table at ${ENTRIES.toLocaleString('en')} entries (median of ${ROUNDS})`;

const entry = (i: number): TruthEntry => ({
  connection: 'main',
  entity: 'invoicePayment',
  externalId: `PAY-${i}`,
  id: 100_000 + i,
  hash: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
  created: '2026-11-01T08:00:00.000Z',
  modified: '2026-11-01T08:00:00.000Z',
  source: { file: `c${i % 977}__payments.xml`, record: i % 1000, action: 'created' },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Keys spread over the whole table, different each round (no round reads what the last one cached on the server). */
const keys = (round: number, n: number) => Array.from({ length: n }, (_, i) => `PAY-${(((i * 7919 + round * 104_729) % ENTRIES) + ENTRIES) % ENTRIES}`);

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

interface Figures {
  getUs: number;
  getManyUs: number;
  putBatchMs: number;
}

async function measureTable(table: TruthTable, nextId: { value: number }): Promise<Figures> {
  const get: number[] = [];
  const many: number[] = [];
  const put: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const ks = keys(r, LOOKUPS);
    get.push((await time(async () => {
      for (const k of ks) if (!(await table.get('main', 'invoicePayment', k))) throw new Error(`missing ${k}`);
    })) / LOOKUPS);
    const ks2 = keys(r + ROUNDS, LOOKUPS);
    many.push((await time(async () => {
      for (let i = 0; i < ks2.length; i += WINDOW) {
        const found = await table.getMany('main', 'invoicePayment', ks2.slice(i, i + WINDOW));
        if (found.size !== Math.min(WINDOW, ks2.length - i)) throw new Error('a window came back short');
      }
    })) / LOOKUPS);
    const batch = Array.from({ length: BATCH }, () => entry(nextId.value++));
    put.push(await time(() => table.putMany(batch)));
  }
  return { getUs: median(get) * 1000, getManyUs: median(many) * 1000, putBatchMs: median(put) };
}

async function localTable(dir: string): Promise<{ fillS: number; firstGetMs: number; figures: Figures; foldS: number }> {
  // Filled through the log in big batches and folded once (the agent folds every 20,000 entries: the
  // same shards, reached by a slower road).
  const t0 = performance.now();
  const filler = new ShardedTruthTable(dir, { foldAt: ENTRIES + 1, mayFold: () => true });
  for (let i = 0; i < ENTRIES; i += 20_000) await filler.putMany(Array.from({ length: Math.min(20_000, ENTRIES - i) }, (_, j) => entry(i + j)));
  await filler.flush();
  const fillS = (performance.now() - t0) / 1000;
  // A new process's table: its first lookups read the shards they fall in.
  const table = new ShardedTruthTable(dir, { mayFold: () => true });
  const firstGetMs = await time(async () => void (await table.get('main', 'invoicePayment', 'PAY-1')));
  for (const k of keys(999, 2000)) await table.get('main', 'invoicePayment', k);
  const figures = await measureTable(table, { value: ENTRIES });
  // What the agent pays every TRUTH_FOLD_AT entries on top of the appends: the shards rewritten.
  const foldS = (await time(() => table.flush())) / 1000;
  return { fillS, firstGetMs, figures, foldS };
}

async function postgresTable(url: string): Promise<{ fillS: number; firstGetMs: number; figures: Figures; close: () => Promise<void> }> {
  const store = openPostgresStateStore({ postgres: { url, poolSize: 4, schema: 'bench' }, agent: 'bench' });
  await migrate(store.pool, 'bench', MIGRATIONS);
  const t0 = performance.now();
  // Filled in SQL (the figures measure the table at this size, not how it got there).
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(
    `INSERT INTO bench.truth (connection, entity, external_id, id, hash, created, modified, source)
     SELECT 'main', 'invoicePayment', 'PAY-' || i, 100000 + i, 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', '2026-11-01T08:00:00.000Z', '2026-11-01T08:00:00.000Z',
            jsonb_build_object('file', 'c' || (i % 977) || '__payments.xml', 'record', i % 1000, 'action', 'created')
     FROM generate_series(0, $1::int - 1) AS i`,
    [ENTRIES],
  );
  await admin.query('VACUUM ANALYZE bench.truth');
  await admin.end();
  const fillS = (performance.now() - t0) / 1000;
  const firstGetMs = await time(async () => void (await store.truth.get('main', 'invoicePayment', 'PAY-1')));
  const figures = await measureTable(store.truth, { value: ENTRIES });
  return { fillS, firstGetMs, figures, close: () => store.close() };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-bench-truth-'));
const server = await startPostgresServer({ durable: true });
try {
  const local = await localTable(path.join(dir, 'truth'));
  const postgres = await postgresTable(server.url);
  await postgres.close();
  for (const [backend, r] of [['local (sharded files + log)', local], ['PostgreSQL', postgres]] as const) {
    report({
      bench: TABLE,
      backend,
      'fill (s)': round(r.fillS, 1),
      'first get, cold (ms)': round(r.firstGetMs, 1),
      'get one by one (µs/entry)': round(r.figures.getUs, 1),
      [`getMany per ${WINDOW} (µs/entry)`]: round(r.figures.getManyUs, 1),
      [`putMany ${BATCH} new (ms/batch)`]: round(r.figures.putBatchMs, 2),
      [`fold every ${TRUTH_FOLD_AT.toLocaleString('en')} entries (s)`]: 'foldS' in r ? round(r.foldS, 2) : 'none',
    });
  }
  const ratio = (a: number, b: number) => `${round(a / b, 1)}x`;
  report({
    bench: TABLE,
    backend: 'PostgreSQL / local',
    'fill (s)': '',
    'first get, cold (ms)': ratio(postgres.firstGetMs, local.firstGetMs),
    'get one by one (µs/entry)': ratio(postgres.figures.getUs, local.figures.getUs),
    [`getMany per ${WINDOW} (µs/entry)`]: ratio(postgres.figures.getManyUs, local.figures.getManyUs),
    [`putMany ${BATCH} new (ms/batch)`]: ratio(postgres.figures.putBatchMs, local.figures.putBatchMs),
    [`fold every ${TRUTH_FOLD_AT.toLocaleString('en')} entries (s)`]: '',
  });
} finally {
  await server.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
