// The config of verbs that read or look after the state without calling an API (`status`, `state …`):
// the connections' secrets need not be set, but the state's own URL must be (resolved, and redacted).
import { DropwiseError } from '../errors.js';
import type { AppConfig } from '../config/load.js';
import type { CommonOptions } from './runtime.js';

export async function loadStateReaderConfig(options: CommonOptions): Promise<AppConfig> {
  const [{ loadConfig }, { resolveStateConfig }, { redactor }] = await Promise.all([import('../config/load.js'), import('../config/state.js'), import('../secrets.js')]);
  const config = loadConfig({ ...(options.config !== undefined ? { file: options.config } : {}), resolveSecrets: false });
  const state = resolveStateConfig(config.state, process.env, config.source.file !== undefined ? `in ${config.source.file}` : '(defaults and environment; no config file given)');
  redactor.add(...state.secrets);
  return { ...config, state: state.state };
}

/** As loadStateReaderConfig, for the verbs that work on a PostgreSQL state only. */
export async function loadPostgresConfig(options: CommonOptions): Promise<AppConfig> {
  const config = await loadStateReaderConfig(options);
  if (config.state.backend !== 'postgres') {
    throw new DropwiseError('DW_CONFIG_INVALID', `state.backend is "${config.state.backend}"${config.source.file !== undefined ? ` in ${config.source.file}` : ''}: this verb works on a PostgreSQL state`, {
      hint: 'Set state.backend to "postgres" and state.postgres.url to "env:VAR_NAME" (or set DROPWISE_STATE_BACKEND=postgres and DROPWISE_STATE_POSTGRES_URL)',
    });
  }
  return config;
}
