// work/agent.json: how the CLI finds the running agent's API. Written when the API is listening,
// removed when the agent stops; it names the process and the API's address, never the token (the
// verbs take api.token from the same config as the agent).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isObject } from '../json/is-object.js';
import { isAlive } from '../state/lock-file.js';

export const AGENT_FILE_NAME = 'agent.json';

export interface AgentFile {
  pid: number;
  hostname: string;
  version: string;
  startedAt: string;
  /** The API's base URL, e.g. http://127.0.0.1:8470. */
  api: string;
}

export const agentFilePath = (workDir: string): string => path.join(workDir, AGENT_FILE_NAME);

/** Writes the file whole (temp file, then rename), so a reader never sees half of it. */
export async function writeAgentFile(workDir: string, content: AgentFile): Promise<void> {
  const file = agentFilePath(workDir);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`);
  await fs.rename(tmp, file);
}

/** Removes the file if it is still this process's own (a newer agent may have replaced it). */
export async function removeAgentFile(workDir: string): Promise<void> {
  const found = await readAgentFile(workDir).catch(() => undefined);
  if (found?.pid === process.pid && found.hostname === os.hostname()) await fs.rm(agentFilePath(workDir), { force: true });
}

/** The file's content; undefined when there is none (or it is not an agent file). Never creates anything. */
export async function readAgentFile(workDir: string): Promise<AgentFile | undefined> {
  let text: string;
  try {
    text = await fs.readFile(agentFilePath(workDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value) && typeof value['pid'] === 'number' && typeof value['api'] === 'string' && typeof value['hostname'] === 'string') return value as unknown as AgentFile;
  } catch {
    // A damaged file says nothing about a running agent.
  }
  return undefined;
}

/**
 * The running agent, or why none is: no file, or a file left by a process that is gone (a kill). An
 * agent on another host (shared folders) cannot be checked and is taken at its word.
 */
export async function findRunningAgent(workDir: string): Promise<{ agent: AgentFile } | { stale?: AgentFile }> {
  const found = await readAgentFile(workDir);
  if (!found) return {};
  if (found.hostname === os.hostname() && !isAlive(found.pid)) return { stale: found };
  return { agent: found };
}
