// The PostgreSQL state schema, one migration per version. A released migration is never edited: a
// change is a new migration at the end.
import type { Migration } from './migrate.js';

/** Version 1: the state the local backend keeps in files (runs/, watermarks.json, truth/, failed-records.jsonl, actions.jsonl, run artifacts). */
const STATE_TABLES: Migration = {
  version: 1,
  name: 'state tables',
  sql: `
    CREATE TABLE runs (
      id text PRIMARY KEY,
      -- The order runs were written in: runs started in the same millisecond keep it.
      seq bigserial NOT NULL,
      agent text NOT NULL,
      task text NOT NULL,
      task_name text,
      file text,
      result text NOT NULL,
      started_at timestamptz NOT NULL,
      record jsonb NOT NULL
    );
    CREATE INDEX runs_started_at ON runs (started_at DESC, seq DESC);
    CREATE INDEX runs_running ON runs (agent) WHERE result = 'running';

    CREATE TABLE watermarks (
      task_key text PRIMARY KEY,
      "values" jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE truth (
      connection text NOT NULL,
      entity text NOT NULL,
      external_id text NOT NULL,
      id bigint NOT NULL,
      hash text NOT NULL,
      created text NOT NULL,
      modified text NOT NULL,
      source jsonb,
      PRIMARY KEY (connection, entity, external_id)
    );

    CREATE TABLE failed_records (
      id text PRIMARY KEY,
      seq bigserial NOT NULL,
      at timestamptz NOT NULL,
      agent text NOT NULL,
      run_id text NOT NULL,
      -- Invoice id, externalId, file and task name, error codes, messages and fields, lower-cased: what a text search looks in.
      search text NOT NULL,
      record jsonb NOT NULL
    );
    CREATE INDEX failed_records_at ON failed_records (at DESC, seq DESC);
    CREATE INDEX failed_records_run ON failed_records (run_id);

    CREATE TABLE actions (
      -- A random id, or for an action copied from a local actions.jsonl a hash of its line (a second copy adds nothing).
      id text PRIMARY KEY,
      seq bigserial NOT NULL,
      at timestamptz NOT NULL,
      agent text NOT NULL,
      entry jsonb NOT NULL
    );
    CREATE INDEX actions_at ON actions (at DESC, seq DESC);

    CREATE TABLE run_artifacts (
      kind text NOT NULL,
      run_id text NOT NULL,
      seq bigserial NOT NULL,
      content text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kind, run_id)
    );
    CREATE INDEX run_artifacts_age ON run_artifacts (kind, created_at DESC, seq DESC);
  `,
};

/** Version 2: what agents sharing the state coordinate through (leases, schedule fire times). */
const COORDINATION_TABLES: Migration = {
  version: 2,
  name: 'agents and schedules',
  sql: `
    CREATE TABLE agents (
      name text PRIMARY KEY,
      -- Bumped when the agent registers and when another agent adopts its work: a write made with an
      -- older generation is refused (fencing).
      generation bigint NOT NULL,
      lease_until timestamptz NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      version text NOT NULL,
      work_dir text NOT NULL,
      -- Unused: no agent fills it (one registers before its API listens). Not dropped, because an agent
      -- of an earlier version, still running beside newer ones, names it in its queries.
      api text,
      started_at timestamptz NOT NULL,
      heartbeat_at timestamptz NOT NULL,
      stopped_at timestamptz,
      -- Nothing is left in its work/processing to adopt: it stopped cleanly with none, or an adopter
      -- moved all of it. Cleared when it registers again.
      nothing_left boolean NOT NULL DEFAULT false,
      adopted_by text,
      adopted_at timestamptz
    );

    CREATE TABLE schedule_fires (
      task text NOT NULL,
      fire_at timestamptz NOT NULL,
      agent text NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (task, fire_at)
    );
  `,
};

export const MIGRATIONS: readonly Migration[] = [STATE_TABLES, COORDINATION_TABLES];
