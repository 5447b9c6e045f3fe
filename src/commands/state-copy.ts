// dropwise state copy --from local --to postgres [--config FILE]: copies the local state (folders.state)
// into the configured PostgreSQL schema, migrating it first, and prints what it copied. Run twice, the
// second copy adds nothing; refused while an agent holds the local state (DW_LOCKED).
import type * as Commander from 'commander';
import type { Command } from 'commander';
import { requireCommonJs } from '../commonjs.js';
import { withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

const { Option } = requireCommonJs<typeof Commander>('commander');

export interface StateCopyOptions extends CommonOptions {
  from: 'local';
  to: 'postgres';
}

export function register(state: Command): void {
  withConfigOption(
    state
      .command('copy')
      .description('copy the local state (folders.state: truth table, watermarks, run history, failed records, action log, run artifacts) into the PostgreSQL state; stop the agent first')
      .addOption(new Option('--from <backend>', 'where the state is now').choices(['local']).makeOptionMandatory())
      .addOption(new Option('--to <backend>', 'where it goes (state.postgres of the config)').choices(['postgres']).makeOptionMandatory())
      .addHelpText(
        'after',
        '\nTruth entries keep their first "created", watermarks only move forward, and what is there already is not added again: a second copy changes nothing.\n\nExample:\n  DROPWISE_STATE_POSTGRES_URL=postgres://dropwise:pw@db:5432/dropwise dropwise state copy --from local --to postgres --config dropwise.json',
      ),
  ).action(action((options: StateCopyOptions) => copyState(options)));
}

export async function copyState(options: StateCopyOptions): Promise<number> {
  const [{ loadPostgresConfig }, { openPostgresStateStore }, { migrate }, { MIGRATIONS }, { copyLocalStateToPostgres }] = await Promise.all([
    import('./state-config.js'),
    import('../state/postgres/index.js'),
    import('../state/postgres/migrate.js'),
    import('../state/postgres/migrations.js'),
    import('../state/copy-to-postgres.js'),
  ]);
  const config = await loadPostgresConfig(options);
  const target = openPostgresStateStore({ postgres: config.state.postgres, agent: config.agent.name });
  try {
    const migrated = await migrate(target.pool, target.schema, MIGRATIONS);
    if (migrated.applied.length > 0) console.log(`State schema "${target.schema}": version ${migrated.from} → ${migrated.to}`);
    const counts = await copyLocalStateToPostgres(config.folders.state, target, config.agent.name);
    const added = (c: { added: number; found: number }) => `${c.found} (${c.added} new)`;
    console.log(`Copied ${config.folders.state} into the PostgreSQL schema "${target.schema}" as agent ${config.agent.name}:`);
    console.log(`  truth table entries  ${counts.truthEntries}`);
    console.log(`  watermark task keys  ${counts.watermarkKeys}`);
    console.log(`  runs                 ${added(counts.runs)}`);
    console.log(`  failed records       ${added(counts.failedRecords)}`);
    console.log(`  actions              ${added(counts.actions)}`);
    console.log(`  run artifacts        ${added(counts.artifacts)}`);
    return 0;
  } finally {
    await target.close();
  }
}
