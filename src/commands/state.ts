// dropwise state migrate|copy: the verbs that look after the state store itself (one file each).
import type { Command } from 'commander';
import * as copy from './state-copy.js';
import * as migrate from './state-migrate.js';

export function register(program: Command): void {
  const state = program.command('state').description('look after the state store: migrate the PostgreSQL schema, copy the local state into it');
  for (const verb of [migrate, copy]) verb.register(state);
}
