// The state store checks of `dropwise doctor`, with state.backend "postgres": the server answers (and
// its clock agrees with this machine's: leases are measured on it), the schema's version is one this
// dropwise knows, and which agents share it now. Read-only: the schema is not created or migrated.
import type { AppConfig } from '../../config/load.js';
import { toDropwiseError } from '../../errors.js';
import { MIGRATIONS } from '../../state/postgres/migrations.js';
import { openPool, stateError } from '../../state/postgres/pool.js';
import type { Finding } from './findings.js';

/** A clock further off than this makes lease times in the log misleading (the leases themselves use the server's clock). */
const SKEW_WARN_MS = 5000;

export async function checkState(config: Pick<AppConfig, 'state' | 'agent'>): Promise<Finding[]> {
  if (config.state.backend !== 'postgres') return [];
  const { schema } = config.state.postgres;
  const subject = `state postgres ${schema}`;
  const latest = Math.max(...MIGRATIONS.map((m) => m.version));
  const pool = openPool({ ...config.state.postgres, poolSize: 1 }, { applicationName: `${config.agent.name} (doctor)` });
  try {
    const findings: Finding[] = [];
    let now: Date;
    try {
      now = (await pool.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now ?? new Date();
    } catch (err) {
      const error = stateError(err, 'answering doctor');
      return [{ subject, check: 'reachable', status: 'fail', detail: error.message, fix: error.hint ?? 'Check state.postgres.url, the server and the network between them' }];
    }
    const skew = Math.abs(now.getTime() - Date.now());
    findings.push(
      skew > SKEW_WARN_MS
        ? { subject, check: 'reachable', status: 'warn', detail: `answers; its clock is ${Math.round(skew / 1000)} s off this machine's`, fix: 'Synchronise both clocks (NTP)' }
        : { subject, check: 'reachable', status: 'ok', detail: 'answers' },
    );
    const found = await pool.query<{ version: number | null }>(`SELECT (SELECT max(version) FROM ${schema}.schema_migrations) AS version`).catch(() => undefined);
    const version = found?.rows[0]?.version ?? 0;
    if (found === undefined || version === 0) {
      findings.push({ subject, check: 'schema', status: 'warn', detail: `the schema "${schema}" has no dropwise tables yet`, fix: 'Nothing to do: the first start creates them, or run dropwise state migrate' });
      return findings;
    }
    if (version > latest) {
      findings.push({ subject, check: 'schema', status: 'fail', detail: `version ${version}, newer than this dropwise knows (${latest})`, fix: 'Run the same (newest) dropwise version on every agent sharing this state' });
      return findings;
    }
    findings.push(
      version < latest
        ? { subject, check: 'schema', status: 'warn', detail: `version ${version}; this dropwise migrates it to ${latest} at start`, fix: 'Nothing to do, or run dropwise state migrate now' }
        : { subject, check: 'schema', status: 'ok', detail: `version ${version}, the latest` },
    );
    const agents = await pool.query<{ name: string; host: string; live: boolean }>(`SELECT name, host, lease_until > now() AS live FROM ${schema}.agents ORDER BY name`);
    const live = agents.rows.filter((a) => a.live);
    const self = live.find((a) => a.name === config.agent.name);
    findings.push(
      self
        ? { subject, check: 'agents', status: 'warn', detail: `an agent named ${self.name} (this config's agent.name) runs now on ${self.host}`, fix: 'Give every agent its own agent.name; two processes with one name are refused' }
        : { subject, check: 'agents', status: 'ok', detail: live.length === 0 ? 'no agent runs now' : `running now: ${live.map((a) => `${a.name} on ${a.host}`).join(', ')}` },
    );
    return findings;
  } catch (err) {
    return [{ subject, check: 'read', status: 'fail', detail: toDropwiseError(err, 'DW_STATE_READ').message, fix: 'Check that the database user may read the schema\'s tables' }];
  } finally {
    await pool.end();
  }
}
