// dropwise doctor against the sandbox, with real folders: all good, wrong keys, a missing right
// (the sandbox answers 403 on one route), a bad folder, a site, a Traede connection with a wrong
// token, notification channels tested on a real SMTP server and webhook — each reported plainly.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { doctor } from '../../src/commands/doctor.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
import { runCli } from '../support/cli.js';
import { startHttpReceiver, startSmtpReceiver } from '../support/notify-receivers.js';
import { makeTempDir } from '../support/workspace.js';

let sandbox: Sandbox;
let dir: string;
let printed: string[];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 4, size: { invoices: 3, batches: 2 } });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  dir = await makeTempDir();
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  sandbox.control.clearFaults();
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keys = () => ({ companyId: sandbox.connectwise.companyId, publicKey: sandbox.connectwise.publicKey, privateKey: sandbox.connectwise.privateKey, clientId: sandbox.connectwise.clientId });
const folders = (): Record<string, string> => Object.fromEntries(['inbox', 'success', 'fail', 'archive', 'work', 'state'].map((f) => [f, path.join(dir, f)]));
const TASKS = {
  invoices: { type: 'connectwise.export-invoices', settings: { exportMode: 'All' } },
  batches: { type: 'connectwise.export-batches', settings: { exportMode: 'All' } },
};

interface Overrides {
  connection?: Record<string, unknown>;
  folders?: Record<string, string>;
  /** More connections beside cw (Traede ones). */
  connections?: Record<string, Record<string, unknown>>;
  notify?: Record<string, unknown>;
  notifyTest?: boolean;
}

async function runDoctor(overrides: Overrides = {}): Promise<number> {
  printed.length = 0;
  const file = path.join(dir, 'dropwise.json');
  for (const folder of Object.values(folders())) fs.mkdirSync(folder, { recursive: true });
  const connection = { type: 'connectwise', url: sandbox.connectwise.url, ...keys(), apiVersion: '2022.1', ...overrides.connection };
  const config = { folders: { ...folders(), ...overrides.folders }, log: { file: '', console: false }, sandbox: { mode: 'off' }, connections: { cw: connection, ...overrides.connections }, tasks: TASKS, ...(overrides.notify ? { notify: overrides.notify } : {}) };
  fs.writeFileSync(file, JSON.stringify(config));
  return doctor({ config: file, ...(overrides.notifyTest ? { notifyTest: true } : {}) }, 'linux');
}
/** The printed line of one check, whitespace squeezed. */
const line = (check: string): string => printed.map((l) => l.replace(/ {2,}/g, ' | ')).find((l) => l.includes(` | ${check} | `)) ?? `(no line for ${check})`;
/** The printed line of one check of one subject, and the line after it (the fix). */
const lineOf = (subject: string, check: string): string => printed.map((l) => l.replace(/ {2,}/g, ' | ')).find((l) => l.includes(` | ${subject} | ${check} | `)) ?? `(no line for ${subject} ${check})`;
const fixOf = (subject: string, check: string): string => printed[printed.findIndex((l) => l.replace(/ {2,}/g, ' | ').includes(` | ${subject} | ${check} | `)) + 1] ?? '';
const fixAfter = (check: string): string => printed[printed.findIndex((l) => l.replace(/ {2,}/g, ' | ').includes(` | ${check} | `)) + 1] ?? '';

describe('dropwise doctor', () => {
  it('reports all good against the sandbox with every check listed, and exits 0', async () => {
    const code = await runDoctor();
    expect(printed.join('\n')).not.toMatch(/FAIL|WARN/);
    expect(code).toBe(0);
    expect(line('reachable')).toMatch(/^ok \| connection cw \| reachable \| http:\/\/127\.0\.0\.1:\d+\/v4_6_release\/apis\/3\.0$/);
    expect(line('clock')).toMatch(/^ok .* within \d+ s of the server's/);
    expect(line('credentials and clientId')).toMatch(/^ok .*accepted/);
    expect(line('API version')).toMatch(/^ok .*2022\.1 accepted; the server runs v2022\.1/);
    expect(line('read /finance/invoices')).toMatch(/^ok .*allowed/);
    expect(line('read /finance/accounting/batches')).toMatch(/^ok .*allowed/);
    expect(line('one volume')).toMatch(/^ok \| folders inbox, work/);
    expect(line('free space')).toMatch(/^ok .* MB free/);
    expect(printed.at(-1)).toBe('All good.');
  });

  it('says the keys were refused, without printing them, and exits 2', async () => {
    expect(await runDoctor({ connection: { privateKey: 'not-the-private-key' } })).toBe(2);
    expect(line('credentials and clientId')).toMatch(/^FAIL \| connection cw \| credentials and clientId \| ConnectWise answered 401 .*UserNotAuthenticated/);
    expect(fixAfter('credentials and clientId')).toMatch(/→ Check companyId, publicKey, privateKey and clientId/);
    expect(printed.join('\n')).not.toContain('not-the-private-key');
    expect(await runDoctor({ connection: { clientId: 'wrong-client' } })).toBe(2);
    expect(line('credentials and clientId')).toMatch(/clientId is not valid/);
  });

  it('names the endpoint whose read right is missing (403) and what to do', async () => {
    sandbox.control.injectFault({ method: 'GET', path: '/finance/accounting/batches*', kind: '403', count: 1 });
    expect(await runDoctor()).toBe(2);
    expect(line('read /finance/accounting/batches')).toMatch(/^FAIL \| connection cw \| read \/finance\/accounting\/batches \| refused \(403\)/);
    expect(fixAfter('read /finance/accounting/batches')).toContain("→ Give the API member's security role read access to /finance/accounting/batches");
    expect(line('read /finance/invoices')).toMatch(/^ok/);
  });

  it('reports a folder that is a file, and inbox and work on different volumes', async () => {
    const notAFolder = path.join(dir, 'inbox-file');
    fs.writeFileSync(notAFolder, 'x');
    expect(await runDoctor({ folders: { inbox: notAFolder } })).toBe(2);
    expect(line('exists')).toMatch(/^FAIL \| folder inbox \| exists \| .*inbox-file is a file, not a folder/);
    expect(fixAfter('exists')).toContain('→ Configure folders.inbox to a folder');

    const shm = '/dev/shm';
    if (fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(dir).dev) {
      const work = fs.mkdtempSync(path.join(shm, 'dropwise-doctor-'));
      try {
        expect(await runDoctor({ folders: { work } })).toBe(2);
        expect(line('one volume')).toMatch(/^FAIL \| folders inbox, work \| one volume \| .* are on different volumes/);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }
  });

  it('finds the API from a site, and says plainly when the site knows no such company', async () => {
    const site = new URL(sandbox.connectwise.url).origin;
    expect(await runDoctor({ connection: { url: undefined, site } })).toBe(0);
    expect(line('site')).toMatch(/^ok \| connection cw \| site \| http:\/\/127\.0\.0\.1:\d+ → http:\/\/127\.0\.0\.1:\d+\/v4_6_release\/apis\/3\.0$/);
    expect(await runDoctor({ connection: { url: undefined, site, companyId: 'nosuchco' } })).toBe(2);
    expect(line('site')).toMatch(/^FAIL .*knows no company "nosuchco"/);
  });

  it('warns of a clock far from the server\'s, and exits 1', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10 * 60_000);
    try {
      expect(await runDoctor()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
    expect(line('clock')).toMatch(/^WARN \| connection cw \| clock \| this machine's clock is 60\d s ahead of the server's/);
    expect(fixAfter('clock')).toContain('→ Set the machine to synchronise its clock (NTP)');
    expect(printed.at(-1)).toBe('0 failed, 1 warnings.');
  });

  it('says a host DNS does not know', async () => {
    expect(await runDoctor({ connection: { url: 'https://no-such-host.invalid/v4_6_release/apis/3.0' } })).toBe(2);
    expect(line('DNS')).toMatch(/^FAIL \| connection cw \| DNS \| no-such-host\.invalid is not known to DNS/);
  });

  it('checks each Traede connection with one GET of the export, and says plainly when the token is refused', async () => {
    const traede = (token: string) => ({ shop: { type: 'traede', url: sandbox.traede.url, token, appKey: sandbox.traede.appKey } });
    sandbox.control.resetRequests();
    expect(await runDoctor({ connections: traede(sandbox.traede.token) })).toBe(0);
    expect(lineOf('connection shop', 'reachable')).toMatch(/^ok \| connection shop \| reachable \| http:\/\/127\.0\.0\.1:\d+$/);
    expect(lineOf('connection shop', 'token and appKey')).toMatch(/^ok .*accepted$/);
    expect(lineOf('connection shop', 'read /v10/invoices/export')).toMatch(/^ok .*allowed$/);
    expect(sandbox.control.requests().byRoute['GET /v10/invoices/export']).toBe(1);
    expect(sandbox.control.traedeMarks('dropwise-doctor'), 'nothing is marked').toEqual([]);

    expect(await runDoctor({ connections: traede('wrong-traede-token') })).toBe(2);
    expect(lineOf('connection shop', 'reachable')).toMatch(/^ok/);
    expect(lineOf('connection shop', 'token and appKey')).toMatch(/^FAIL \| connection shop \| token and appKey \| Traede answered 401 to GET \/v10\/invoices\/export: A valid access token is required/);
    expect(fixOf('connection shop', 'token and appKey')).toContain('→ Check the token and appKey of the Traede connection');
    expect(printed.join('\n')).not.toContain('wrong-traede-token');
    expect(printed.join('\n')).not.toContain(sandbox.traede.appKey);
    expect(lineOf('connection cw', 'reachable')).toMatch(/^ok/);

    expect(await runDoctor({ connections: { shop: { type: 'traede', url: 'http://127.0.0.1:1', token: 'some-token', appKey: 'some-key' } } })).toBe(2);
    expect(lineOf('connection shop', 'reachable')).toMatch(/^FAIL \| connection shop \| reachable \| http:\/\/127\.0\.0\.1:1: Traede could not be reached/);
    expect(fixOf('connection shop', 'reachable')).toContain('→ Check the address');
  });

  it('sends a test message through each notification channel only with --notify-test, and reports each answer', async () => {
    const good = await startSmtpReceiver();
    const guarded = await startSmtpReceiver({ user: 'relay', password: 'the-right-password' });
    const hook = await startHttpReceiver();
    try {
      const smtp = (port: number, auth: Record<string, string> = {}) => ({ host: '127.0.0.1', port, secure: false, requireTLS: false, ...auth });
      const notify = {
        email: [
          { to: ['ops@example.com'], from: 'dropwise@example.com', smtp: smtp(good.port) },
          { to: ['finance@example.com'], from: 'dropwise@example.com', smtp: smtp(guarded.port, { user: 'relay', password: 'a-wrong-password' }) },
        ],
        webhooks: [{ url: `${hook.url}/hooks/secret-path-4711`, format: 'json' }],
      };
      const goodLabel = `notify e-mail to ops@example.com via 127.0.0.1:${good.port}`;
      const guardedLabel = `notify e-mail to finance@example.com via 127.0.0.1:${guarded.port}`;
      const hookLabel = `notify json webhook at ${new URL(hook.url).host}`;

      expect(await runDoctor({ notify })).toBe(0);
      expect(lineOf(goodLabel, 'test message')).toMatch(/^ok .*not sent: dropwise doctor --notify-test sends one$/);
      expect(lineOf(hookLabel, 'test message')).toMatch(/^ok .*not sent/);
      expect(good.mails).toHaveLength(0);
      expect(hook.requests).toHaveLength(0);

      expect(await runDoctor({ notify, notifyTest: true })).toBe(2);
      expect(lineOf(goodLabel, 'test message')).toMatch(/^ok .*delivered$/);
      expect(good.mails).toHaveLength(1);
      expect(good.mails[0]).toMatchObject({ to: ['ops@example.com'], subject: '[dropwise] Test notification' });
      expect(good.mails[0]?.headers['x-dropwise-event']).toBe('test');
      expect(good.mails[0]?.text).toContain('Nothing to do: this channel works.');
      expect(lineOf(guardedLabel, 'test message')).toMatch(/^FAIL .*not delivered: SMTP 127\.0\.0\.1:\d+: .*Invalid username or password/);
      expect(fixOf(guardedLabel, 'test message')).toContain('→ Check notify.email smtp.user and smtp.password');
      expect(guarded.mails).toHaveLength(0);
      expect(lineOf(hookLabel, 'test message')).toMatch(/^ok .*delivered$/);
      expect(hook.accepted()).toEqual([expect.objectContaining({ event: 'test', title: 'Test notification' })]);
      const all = printed.join('\n');
      for (const secret of ['a-wrong-password', 'secret-path-4711']) expect(all).not.toContain(secret);
    } finally {
      await Promise.all([good.close(), guarded.close(), hook.close()]);
    }
  });

  it('takes --notify-test on the command line', async () => {
    const receiver = await startSmtpReceiver();
    try {
      const file = path.join(dir, 'cli.json');
      for (const folder of Object.values(folders())) fs.mkdirSync(folder, { recursive: true });
      const notify = { email: [{ to: ['ops@example.com'], from: 'dropwise@example.com', smtp: { host: '127.0.0.1', port: receiver.port, secure: false, requireTLS: false } }] };
      fs.writeFileSync(file, JSON.stringify({ folders: folders(), log: { file: '', console: false }, sandbox: { mode: 'off' }, notify }));
      const plain = await runCli(['doctor', '--config', file]);
      expect(plain.code).toBe(0);
      expect(receiver.mails).toHaveLength(0);
      const tested = await runCli(['doctor', '--config', file, '--notify-test']);
      expect(tested.stdout).toMatch(/ok +notify e-mail to ops@example\.com via 127\.0\.0\.1:\d+ +test message +delivered/);
      expect(tested.code).toBe(0);
      expect(receiver.mails.map((m) => m.subject)).toEqual(['[dropwise] Test notification']);
    } finally {
      await receiver.close();
    }
  });
});
