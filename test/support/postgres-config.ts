// A dropwise config on a PostgreSQL state of its own (a fresh schema on the run's server), for tests
// that run verbs through the CLI: the URL is an env: reference, as a service would have it. The schema
// is dropped after the test.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { testSchema, type TestSchema } from './postgres.js';
import { makeTempDirSync } from './temp-dir.js';

const schemas: TestSchema[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await s.drop();
});

/** A config naming a fresh schema (folders under `dir`), with the environment holding its URL. */
export async function postgresConfig(): Promise<{ schema: TestSchema; dir: string; config: string; env: NodeJS.ProcessEnv }> {
  const schema = await testSchema('cli');
  schemas.push(schema);
  const dir = makeTempDirSync('dw-state-verb-');
  const config = path.join(dir, 'dropwise.json');
  fs.writeFileSync(config, JSON.stringify({ agent: { name: 'agent-1' }, folders: { state: path.join(dir, 'state'), work: path.join(dir, 'work') }, state: { backend: 'postgres', postgres: { url: 'env:DW_TEST_STATE_URL', schema: schema.schema } } }));
  return { schema, dir, config, env: { DW_TEST_STATE_URL: schema.url } };
}

