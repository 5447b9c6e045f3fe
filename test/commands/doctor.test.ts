// dropwise doctor against the sandbox, with real folders: all good, wrong keys, a missing right
// (the sandbox answers 403 on one route), a bad folder, a site — each reported plainly.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { doctor } from '../../src/commands/doctor.js';
import { startSandbox, type Sandbox } from '../../src/simulator/index.js';
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

async function runDoctor(overrides: { connection?: Record<string, unknown>; folders?: Record<string, string> } = {}): Promise<number> {
  printed.length = 0;
  const file = path.join(dir, 'dropwise.json');
  for (const folder of Object.values(folders())) fs.mkdirSync(folder, { recursive: true });
  const connection = { type: 'connectwise', url: sandbox.connectwise.url, ...keys(), apiVersion: '2022.1', ...overrides.connection };
  fs.writeFileSync(file, JSON.stringify({ folders: { ...folders(), ...overrides.folders }, log: { file: '', console: false }, sandbox: { mode: 'off' }, connections: { cw: connection }, tasks: TASKS }));
  return doctor({ config: file }, 'linux');
}
/** The printed line of one check, whitespace squeezed. */
const line = (check: string): string => printed.map((l) => l.replace(/ {2,}/g, ' | ')).find((l) => l.includes(` | ${check} | `)) ?? `(no line for ${check})`;
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
});
