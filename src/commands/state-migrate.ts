// dropwise state migrate [--config FILE]: creates the PostgreSQL state schema when missing and applies
// the migrations it lacks (an agent does the same at start), printing the version before and after and
// each migration applied; a schema migrated by a newer dropwise is refused (DW_STATE_SCHEMA).
import type { Command } from 'commander';
import { withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

export function register(state: Command): void {
  withConfigOption(
    state
      .command('migrate')
      .description('create the PostgreSQL state schema (state.postgres.schema) if missing and apply the migrations it lacks; agents do this at start too')
      .addHelpText('after', '\nExample:\n  DROPWISE_STATE_POSTGRES_URL=postgres://dropwise:pw@db:5432/dropwise dropwise state migrate --config dropwise.json'),
  ).action(action((options: CommonOptions) => migrateState(options)));
}

export async function migrateState(options: CommonOptions): Promise<number> {
  const [{ loadPostgresConfig }, { openPool }, { migrate }, { MIGRATIONS }] = await Promise.all([
    import('./state-config.js'),
    import('../state/postgres/pool.js'),
    import('../state/postgres/migrate.js'),
    import('../state/postgres/migrations.js'),
  ]);
  const config = await loadPostgresConfig(options);
  const pool = openPool(config.state.postgres, { applicationName: `${config.agent.name} (state migrate)` });
  try {
    const result = await migrate(pool, config.state.postgres.schema, MIGRATIONS);
    console.log(`State schema "${config.state.postgres.schema}": version ${result.from} → ${result.to}`);
    for (const m of result.applied) console.log(`  applied ${m.version}: ${m.name}`);
    if (result.applied.length === 0) console.log('  nothing to apply: it is up to date');
    return 0;
  } finally {
    await pool.end();
  }
}
