// The two state backends the contract tests run against: the local files (a temp folder) and
// PostgreSQL (a schema of its own per test on the run's server, migrated). `reopen` opens a second
// store on the same state, as another process (or agent) would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStateStore, type Fence, type StateStore } from '../../../src/state/index.js';
import { migrate } from '../../../src/state/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/state/postgres/migrations.js';
import { openPostgresStateStore, type PostgresStateStore } from '../../../src/state/postgres/index.js';
import { testSchema, type TestSchema } from '../../support/postgres.js';

export interface OpenOptions {
  agent?: string;
  fence?: () => Fence | undefined;
  historyKeepDays?: number;
}

export interface Backend {
  /** A store on this test's state. */
  open(options?: OpenOptions): StateStore;
}

export interface BackendKind {
  name: 'local' | 'postgres';
  /** A fresh, empty state for one test (closed and removed after it). */
  fresh(): Promise<Backend>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const local: BackendKind = {
  name: 'local',
  async fresh() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dw-contract-'));
    const stores: StateStore[] = [];
    cleanups.push(async () => {
      for (const s of stores) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return {
      open(options = {}) {
        const store = openStateStore(dir, options.historyKeepDays !== undefined ? { historyKeepDays: options.historyKeepDays } : {});
        stores.push(store);
        return store;
      },
    };
  },
};

/** A migrated schema of its own, and the SQL handle to look behind the store's back. */
export async function postgresState(): Promise<{ schema: TestSchema; open(options?: OpenOptions): PostgresStateStore }> {
  const schema = await testSchema('contract');
  const stores: PostgresStateStore[] = [];
  cleanups.push(async () => {
    for (const s of stores) await s.close();
    await schema.drop();
  });
  const open = (options: OpenOptions = {}) => {
    const store = openPostgresStateStore({
      postgres: { url: schema.url, poolSize: 4, schema: schema.schema },
      agent: options.agent ?? 'agent-1',
      ...(options.fence ? { fence: options.fence } : {}),
      ...(options.historyKeepDays !== undefined ? { historyKeepDays: options.historyKeepDays } : {}),
    });
    stores.push(store);
    return store;
  };
  await migrate(open().pool, schema.schema, MIGRATIONS);
  return { schema, open };
}

const postgres: BackendKind = {
  name: 'postgres',
  async fresh() {
    const state = await postgresState();
    return { open: (options) => state.open(options) };
  },
};

export const BACKENDS: BackendKind[] = [local, postgres];
