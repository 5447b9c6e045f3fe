// The Windows service definition: the WinSW XML built by node-windows' own generator, read back with an
// XML parser, and its command line carried through WinSW, .NET and the C runtime's argv rules.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServicePlan } from '../../src/commands/service-definition.js';
import { hasControlCharacter, STOP_TIMEOUT_S } from '../../src/commands/service-definition.js';
import { driveLetterWarnings, windowsArgument, windowsSteps, winswConfig, winswXml, wrapperArgv, wrapperScript } from '../../src/commands/service-windows.js';
import { STOP_GRACE_MS } from '../../src/commands/start.js';
import { CLI } from '../support/cli.js';
import { dotnetCommandLine, splitWindowsCommandLine, winswArguments } from '../support/windows-command-line.js';
import { makeTempDir } from '../support/workspace.js';

afterEach(() => vi.restoreAllMocks());

interface Element {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: Element[];
}

/** The <service> element's children, parsed. */
function parseWinsw(xml: string): Element[] {
  const parser = new SaxesParser();
  const stack: Element[] = [{ name: '#root', attributes: {}, text: '', children: [] }];
  parser.on('opentag', (tag) => {
    const el: Element = { name: tag.name, attributes: tag.attributes as Record<string, string>, text: '', children: [] };
    stack.at(-1)?.children.push(el);
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack.at(-1) as Element;
    top.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  const service = stack[0]?.children[0] as Element;
  expect(service.name).toBe('service');
  return service.children;
}

const one = (els: Element[], name: string) => {
  const found = els.filter((e) => e.name === name);
  expect(found, name).toHaveLength(1);
  return found[0] as Element;
};

function plan(overrides: Partial<ServicePlan> = {}): ServicePlan {
  return {
    name: 'dropwise',
    description: 'dropwise agent',
    node: 'C:\\Program Files\\nodejs\\node.exe',
    cli: 'C:\\Program Files\\dropwise\\dist\\cli.js',
    config: 'C:\\ProgramData\\dropwise config\\dropwise.json',
    workingDirectory: 'C:\\ProgramData\\dropwise config',
    logDirectory: 'C:\\ProgramData\\dropwise config\\logs',
    ...overrides,
  };
}

/** argv as node would see it, from the XML as written. */
function argvFromXml(xml: string): string[] {
  const els = parseWinsw(xml);
  const args = els.filter((e) => e.name === 'argument').map((e) => e.text);
  return splitWindowsCommandLine(dotnetCommandLine(one(els, 'executable').text, winswArguments(args)));
}

describe('the Windows command-line splitter (test support) follows Microsoft\'s documented examples', () => {
  it.each([
    ['"a b c" d e', ['a b c', 'd', 'e']],
    ['"ab\\"c" "\\\\" d', ['ab"c', '\\', 'd']],
    ['a\\\\\\b d"e f"g h', ['a\\\\\\b', 'de fg', 'h']],
    ['a\\\\\\"b c d', ['a\\"b', 'c', 'd']],
    ['a\\\\\\\\"b c" d e', ['a\\\\b c', 'd', 'e']],
    ['a"b"" c d', ['ab" c d']],
  ])('%s', (args, expected) => {
    expect(splitWindowsCommandLine(`"C:\\x y\\prog.exe" ${args}`)).toEqual(['C:\\x y\\prog.exe', ...expected]);
  });
});

describe('the WinSW definition (node-windows generator)', () => {
  const wrapper = 'C:\\Program Files\\dropwise\\node_modules\\node-windows\\lib\\wrapper.js';

  it('runs node on the wrapper, which runs `cli.js start`, with the config in DROPWISE_CONFIG', () => {
    const p = plan();
    const els = parseWinsw(winswXml(winswConfig(p, wrapper, { password: '', withAccount: true })));
    expect(one(els, 'id').text).toBe('dropwise.exe');
    expect(one(els, 'name').text).toBe('dropwise');
    expect(one(els, 'executable').text).toBe(p.node);
    expect(one(els, 'workingdirectory').text).toBe(p.workingDirectory);
    expect(one(els, 'logpath').text).toBe(p.logDirectory);
    expect(one(els, 'log').attributes).toEqual({ mode: 'roll-by-size' });
    expect(els.filter((e) => e.name === 'env').map((e) => e.attributes)).toEqual([
      { name: 'DROPWISE_CONFIG', value: p.config },
      { name: 'NODE_ENV', value: 'production' },
    ]);
    // No node option (node-windows' default would be --harmony) and no service account: LocalSystem.
    expect(argvFromXml(winswXml(winswConfig(p, wrapper, { password: '', withAccount: true })))).toEqual([p.node, ...wrapperArgv(p, wrapper)]);
    expect(els.some((e) => e.name === 'serviceaccount')).toBe(false);
  });

  it('stops through the wrapper (shutdown message) with a timeout covering the stop grace, and restarts on failure', () => {
    const els = parseWinsw(winswXml(winswConfig(plan(), wrapper, { password: '', withAccount: true })));
    expect(one(els, 'stopparentprocessfirst').text).toBe('true');
    expect(one(els, 'stoptimeout').text).toBe(`${STOP_TIMEOUT_S}sec`);
    expect(STOP_TIMEOUT_S * 1000).toBeGreaterThan(STOP_GRACE_MS);
    expect(els.filter((e) => e.name === 'onfailure').map((e) => e.attributes)).toEqual([
      { action: 'restart', delay: '10 sec' },
      { action: 'restart', delay: '60 sec' },
    ]);
    expect(one(els, 'resetfailure').text).toBe('1 hour');
    const args = wrapperArgv(plan(), wrapper);
    expect(args.slice(args.indexOf('--stopparentfirst'), args.indexOf('--stopparentfirst') + 2)).toEqual(['--stopparentfirst', 'true']);
    expect(args).toContain('--scriptoptions=start');
  });

  it('logs on as the given account, granting "log on as a service"; a built-in account needs no grant', () => {
    const secret = 'pa ss"word<&>';
    const els = parseWinsw(winswXml(winswConfig(plan({ account: 'CORP\\svc-dropwise' }), wrapper, { password: secret, withAccount: true })));
    const account = one(els, 'serviceaccount').children.map((c) => [c.name, c.text]);
    expect(account).toEqual([['domain', 'CORP'], ['user', 'svc-dropwise'], ['password', secret], ['allowservicelogon', 'true']]);
    const local = parseWinsw(winswXml(winswConfig(plan({ account: 'svc' }), wrapper, { password: 'x', withAccount: true })));
    expect(one(local, 'serviceaccount').children.slice(0, 2).map((c) => c.text)).toEqual(['.', 'svc']);
    const builtIn = parseWinsw(winswXml(winswConfig(plan({ account: 'NT AUTHORITY\\NetworkService' }), wrapper, { password: '', withAccount: true })));
    expect(one(builtIn, 'serviceaccount').children.map((c) => c.name)).toEqual(['domain', 'user', 'password']);
  });

  it('keeps the password out of the console and out of the definition left on disk after install', () => {
    const secret = 'S3cret-pw';
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.map((x) => JSON.stringify(x)).join(' ')));
    const steps = windowsSteps({ ...plan({ account: 'CORP\\svc' }), cli: '/opt/dw/dist/cli.js', password: secret }, 'install');
    expect(printed.join('\n')).not.toContain(secret);
    const writes = steps.filter((s) => 'write' in s);
    expect(writes).toHaveLength(2);
    const [installFile, kept] = writes as unknown as [{ content: string; shown?: string }, { content: string; shown?: string }];
    expect(installFile.content).toContain(secret);
    expect(installFile.shown).not.toContain(secret);
    expect(installFile.shown).toContain('<password>********</password>');
    expect(kept.content).not.toContain(secret);
    expect(kept.content).not.toContain('serviceaccount');
    // Order: the definition with the account, WinSW's install, the definition without it, start.
    expect(steps.map((s) => ('run' in s ? s.run[1] : Object.keys(s)[0]))).toEqual(['mkdir', 'write', 'copy', 'copy', 'install', 'write', 'start']);
  });

  it('refuses a path with % (WinSW would expand it) or a control character', () => {
    expect(() => winswConfig(plan({ config: 'C:\\100%\\dw.json' }), wrapper, { password: '', withAccount: true })).toThrow(/contains "%"/);
    expect(() => winswConfig(plan({ cli: 'C:\\a\nb\\cli.js' }), wrapper, { password: '', withAccount: true })).toThrow(/control character/);
  });

  it('uses the wrapper node-windows ships', () => {
    expect(wrapperScript()).toMatch(/node-windows[\\/]lib[\\/]wrapper\.js$/);
  });
});

describe('the arguments round-trip through WinSW, .NET and the C runtime', () => {
  const wrapper = 'C:\\Program Files\\dropwise\\node_modules\\node-windows\\lib\\wrapper.js';

  it.each([
    'C:\\Program Files\\dropwise\\dist\\cli.js',
    'C:\\dir with trailing backslash and space \\',
    'C:\\x"y z\\"',
    'C:\\"quoted"',
    'D:\\Données\\日本\\😀 cli.js',
    '\\\\server\\share\\drop wise\\cli.js',
    'C:\\nbsp\u00a0',
    '',
  ])('%j', (cli) => {
    const p = plan({ cli });
    expect(argvFromXml(winswXml(winswConfig(p, wrapper, { password: '', withAccount: true })))).toEqual([p.node, ...wrapperArgv(p, wrapper)]);
  });

  const piece = fc.oneof(
    fc.constantFrom(' ', '"', '\\', '\\\\', '\\"', '""', 'é', 'Ω', '日本', '😀', '\u00a0', "'", '&', '<', '>', '=', '-', 'C:'),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
  );
  const pathLike = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')).filter((s) => !s.includes('%') && !hasControlCharacter(s) && !/[\u0080-\u009f\ufffe\uffff]/.test(s));

  it('gives back exactly the intended argv for any script and wrapper path (property)', () => {
    fc.assert(
      fc.property(pathLike, pathLike, (cli, wrapperPath) => {
        const p = plan({ cli });
        const xml = winswXml(winswConfig(p, wrapperPath, { password: '', withAccount: true }));
        expect(argvFromXml(xml)).toEqual([p.node, ...wrapperArgv(p, wrapperPath)]);
      }),
      { numRuns: 300 },
    );
  });

  it('quotes only what needs it', () => {
    expect(windowsArgument('--file')).toBe('--file');
    expect(windowsArgument('a b')).toBe('"a b"');
    expect(windowsArgument('a b\\')).toBe('"a b\\\\"');
    expect(windowsArgument('a"b')).toBe('"a\\"b"');
    expect(windowsArgument('')).toBe('""');
  });
});

describe('drive letters a service cannot see', () => {
  const fixed = new Set(['C', 'D']);

  it('warns for a folder on a drive letter that is not a fixed local disk (mapped, subst)', () => {
    const warnings = driveLetterWarnings('win32', { inbox: 'Z:\\drop\\inbox', success: 'C:\\dw\\success', state: 'd:\\dw\\state', archive: '\\\\?\\Y:\\archive' }, fixed);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^inbox \(Z:\\drop\\inbox\) is on Z:, which is not a fixed local disk.*UNC/);
    expect(warnings[1]).toMatch(/^archive .* is on Y:/);
  });

  it('accepts UNC paths and fixed disks', () => {
    expect(driveLetterWarnings('win32', { inbox: '\\\\fileserver\\drop\\inbox', fail: '\\\\?\\UNC\\fs\\share\\fail', work: 'C:\\dw\\work' }, fixed)).toEqual([]);
  });

  it('has nothing to check on Linux', () => {
    expect(driveLetterWarnings('linux', { inbox: 'Z:\\drop' }, new Set())).toEqual([]);
  });
});

describe("node-windows' wrapper with the definition's arguments (run here with node)", () => {
  it('starts `cli.js start` with the config from DROPWISE_CONFIG, and a Ctrl+C (SIGINT) to the wrapper stops dropwise cleanly by the shutdown message', async () => {
    const dir = path.join(await makeTempDir(), 'config dir ü');
    await fs.mkdir(dir);
    const config = path.join(dir, 'drop wise.json');
    await fs.writeFile(config, JSON.stringify({ log: { file: '' }, sandbox: { mode: 'off' } }));
    const p = plan({ node: process.execPath, cli: CLI, config, workingDirectory: dir, logDirectory: dir });
    const xml = winswXml(winswConfig(p, wrapperScript(), { password: '', withAccount: true }));
    const [executable, ...args] = argvFromXml(xml) as [string, ...string[]];
    // Port 0, as in support/cli.ts: an agent on the default port (another test, a user's) must not fail this one.
    const child = spawn(executable, args, { cwd: dir, env: { ...process.env, DROPWISE_CONFIG: config, DROPWISE_API_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => out, { timeout: 30_000, interval: 100 }).toContain(`dropwise is watching ${path.join(dir, 'inbox')}`);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('Stop requested (shutdown message)');
    expect(out).toContain('Stopped');
  });
});
