// dropwise state migrate, through the built CLI against the test server: applies the migrations a
// schema lacks and says so, does nothing the second time, refuses a newer schema, never prints the password.
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/state/postgres/migrations.js';
import { runCli } from '../support/cli.js';
import { postgresConfig } from '../support/postgres-config.js';

describe('dropwise state migrate', () => {
  it('creates and migrates the schema, then has nothing to apply', async () => {
    const { schema, config, env } = await postgresConfig();
    const first = await runCli(['state', 'migrate', '--config', config], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`State schema "${schema.schema}": version 0 → ${MIGRATIONS.length}`);
    for (const m of MIGRATIONS) expect(first.stdout).toContain(`applied ${m.version}: ${m.name}`);
    const again = await runCli(['state', 'migrate', '--config', config], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`version ${MIGRATIONS.length} → ${MIGRATIONS.length}`);
    expect(again.stdout).toContain('nothing to apply');
  });

  it('refuses a schema a newer dropwise migrated (DW_STATE_SCHEMA), exit 2', async () => {
    const { schema, config, env } = await postgresConfig();
    expect((await runCli(['state', 'migrate', '--config', config], { env })).code).toBe(0);
    await schema.query(`INSERT INTO ${schema.schema}.schema_migrations (version, name) VALUES (99, 'from the future')`);
    const refused = await runCli(['state', 'migrate', '--config', config], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('DW_STATE_SCHEMA');
    expect(refused.stderr).toContain('at version 99');
  });

  it('an unreachable server is DW_STATE_UNAVAILABLE, without the password; a local state is refused', async () => {
    const { config } = await postgresConfig();
    const down = await runCli(['state', 'migrate', '--config', config], { env: { DW_TEST_STATE_URL: 'postgres://u:s3cret-pw@127.0.0.1:1/db' } });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('DW_STATE_UNAVAILABLE');
    expect(down.stdout + down.stderr).not.toContain('s3cret-pw');
    const local = await runCli(['state', 'migrate'], { env: { DROPWISE_STATE_BACKEND: 'local' } });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('DW_CONFIG_INVALID');
  });

  it('says what it does and shows an example in --help', async () => {
    const help = await runCli(['state', 'migrate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/apply\s+the\s+migrations/);
    expect(help.stdout).toContain('Example:');
  });
});
