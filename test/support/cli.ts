// Runs the built CLI as a child process, the way a person or a service manager does.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
/** The CLI with test tasks registered (see agent-child.mjs). */
export const TEST_CLI = path.join(ROOT, 'test', 'support', 'agent-child.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[], options: { cwd?: string; script?: string; ipc?: boolean; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [options.script ?? CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    // Port 0: agents started by parallel test files must not compete for api.port's default.
    env: { ...process.env, DROPWISE_CONFIG: '', DROPWISE_API_PORT: '0', ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it exits. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export function runCli(args: string[], options: Parameters<typeof spawnCli>[1] = {}): Promise<CliResult> {
  return finished(spawnCli(args, options));
}
