// Whether an agent runs on these folders, for `dropwise status`: from work/agent.json, and, when its
// API answers, what it is doing now. Reads only; needs no connection secret and creates nothing.
import type { AppConfig } from '../config/load.js';
import { isDropwiseError } from '../errors.js';
import { findRunningAgent } from './agent-file.js';
import { AgentApiClient } from './client.js';
import type { LiveRun } from './live-runs.js';
import type { ScheduleInfo } from './schedules.js';

/** What GET /api/status answers. */
export interface LiveStatus {
  pid: number;
  version: string;
  since: string;
  api: string;
  paused: boolean;
  inFlight: { id: string; name: string; claimedAt: string }[];
  waiting: number;
  schedules: ScheduleInfo[];
  running: LiveRun[];
}

export type AgentPresence =
  | { running: true; pid: number; hostname: string; version: string; since: string; api: string; live?: LiveStatus; liveError?: string }
  | { running: false; stalePid?: number };

export async function agentPresence(config: Pick<AppConfig, 'folders' | 'api' | 'source'>, env: NodeJS.ProcessEnv = process.env): Promise<AgentPresence> {
  const found = await findRunningAgent(config.folders.work);
  if (!('agent' in found)) return { running: false, ...(found.stale ? { stalePid: found.stale.pid } : {}) };
  const { pid, hostname, version, startedAt, api } = found.agent;
  const base = { running: true as const, pid, hostname, version, since: startedAt, api };
  try {
    const client = await AgentApiClient.connect(config, env);
    return { ...base, live: await client.get<LiveStatus>('/api/status') };
  } catch (err) {
    return { ...base, liveError: isDropwiseError(err) ? `${err.code}: ${err.message}` : String(err) };
  }
}
