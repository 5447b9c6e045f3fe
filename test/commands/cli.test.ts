// The built CLI as a person runs it.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { makeTempDir } from '../support/workspace.js';

const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

async function configFile(content: unknown): Promise<string> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'dropwise.json');
  await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('dropwise CLI', () => {
  it('prints its version, -V and --version alike, and as the program would with other words around it', async () => {
    // `--version` alone is answered before the program is loaded; with another option the program answers.
    const [long, short, withOption] = await Promise.all([runCli(['--version']), runCli(['-V']), runCli(['--config', 'x.json', '--version'])]);
    for (const r of [long, short, withOption]) {
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it('lists every verb in --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const verb of ['start', 'run', 'task', 'validate', 'simulate', 'status', 'service']) expect(r.stdout).toContain(verb);
  });

  it('refuses to start with a bad config value, naming the key and the file, without a stack trace', async () => {
    const file = await configFile({ watch: { stabilityMs: 'soon' } });
    const r = await runCli(['start', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('DW_CONFIG_INVALID');
    expect(r.stderr).toContain('watch.stabilityMs');
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a config that is not JSON, and a config file that does not exist', async () => {
    const broken = await configFile('{ "watch": ');
    const r1 = await runCli(['start', '--config', broken]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`${broken} is not valid JSON`);
    const r2 = await runCli(['status', '--config', path.join(path.dirname(broken), 'missing.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('missing.json');
  });

  it('run exits 2 for a file no task handles, and validate says why', async () => {
    const file = await configFile({ sandbox: { mode: 'off' }, log: { file: '' } });
    const input = path.join(path.dirname(file), 'strange.xml');
    await fs.writeFile(input, '<Strange/>');
    const v = await runCli(['validate', input, '--config', file]);
    expect(v.code).toBe(2);
    expect(v.stdout).toContain('DW_UNKNOWN_ROOT');
    const r = await runCli(['run', input, '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('strange.xml.error.xml');
    const s = await runCli(['status', '--json', '--config', file]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ inFlight: [], waiting: [] });
  });

  // A typo in a configured task or a route refuses every verb that runs tasks, before anything runs.
  describe.each([
    ['a bad setting', { tasks: { nightly: { type: 'connectwise.export-invoices', settings: { pageSize: 'lots' } } } }, 'tasks.nightly.settings', '"pageSize"'],
    ['an unknown type', { tasks: { nightly: { type: 'connectwise.export-invoice' } } }, 'tasks.nightly.type "connectwise.export-invoice"', 'There is no task type'],
    ['a route to an unknown task', { routes: [{ pattern: 'pay-*.xml', task: 'nighty' }] }, 'routes[0].task "nighty"', 'There is no configured task or task type "nighty"'],
  ])('a config with %s', (_, content, key, why) => {
    it('refuses start, run, task and validate, naming the key, the value and the file', async () => {
      const file = await configFile({ sandbox: { mode: 'off' }, log: { file: '' }, ...content });
      const input = path.join(path.dirname(file), 'in.xml');
      await fs.writeFile(input, '<InvoicePayments/>');
      const verbs = [['start'], ['run', input], ['task', 'nightly'], ['validate', input]];
      const results = await Promise.all(verbs.map((args) => runCli([...args, '--config', file])));
      for (const [i, r] of results.entries()) {
        const verb = verbs[i]?.[0];
        expect({ verb, code: r.code }).toEqual({ verb, code: 2 });
        expect(r.stderr).toContain(`DW_CONFIG_INVALID: Invalid configuration in ${file}: ${key}`);
        expect(r.stderr).toContain(why);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      // Nothing ran: the file to run is where it was.
      await fs.access(input);
    });
  });

  // Exit 1 means "some records failed": a script must not read a typo as a partial success.
  it.each([
    ['an unknown verb', ['strat'], /unknown command 'strat'/],
    ['an unknown option', ['status', '--jsn'], /unknown option '--jsn'/],
    ['a missing argument', ['run'], /missing required argument 'file'/],
    ['a bad option value', ['simulate', '--port', 'x'], /expected an integer/],
  ])('exits 2 for %s, after saying what is wrong', async (_, args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('simulate on a port in use says so in a sentence and exits 2, without a stack', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await runCli(['simulate', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`the sandbox cannot listen on 127.0.0.1:${port}: the port is already in use`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      server.close();
    }
  });

  describe('run and validate on something that is not a file', () => {
    it('refuse a folder and a link before anything moves, and say a missing file is missing', async () => {
      const file = await configFile({ sandbox: { mode: 'off' }, log: { file: '' } });
      const dir = path.dirname(file);
      const folder = path.join(dir, 'drops');
      await fs.mkdir(folder);
      await fs.writeFile(path.join(folder, 'a.xml'), '<Strange/>');
      const link = path.join(dir, 'link.xml');
      await fs.symlink(path.join(folder, 'a.xml'), link);
      const cases: [string[], string][] = [
        [['run', folder], `DW_FILE_NOT_REGULAR: ${folder} is a folder, not a regular file`],
        [['run', link], `DW_FILE_NOT_REGULAR: ${link} is a symbolic link, not a regular file`],
        [['validate', folder], `DW_FILE_NOT_REGULAR: ${folder} is a folder, not a regular file`],
        [['validate', path.join(dir, 'missing.xml')], `DW_FILE_UNREADABLE: The file ${path.join(dir, 'missing.xml')} does not exist`],
      ];
      for (const [args, message] of cases) {
        const r = await runCli([...args, '--config', file]);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stdout + r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      // Nothing moved: the folder, its file and the link are where they were; nothing was claimed.
      expect(await fs.readdir(folder)).toEqual(['a.xml']);
      expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
      expect(await fs.readdir(path.join(dir, 'work', 'processing')).catch(() => [])).toEqual([]);
      expect(await fs.readdir(path.join(dir, 'outbox', 'fail')).catch(() => [])).toEqual([]);
    });
  });
});
