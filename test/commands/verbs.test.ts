// The verbs' logic in-process, with the test tasks: exit codes and what they print.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runFile } from '../../src/commands/run.js';
import type { Runtime } from '../../src/commands/runtime.js';
import { showStatus } from '../../src/commands/status.js';
import { runConfiguredTask } from '../../src/commands/task.js';
import { validate } from '../../src/commands/validate.js';
import { echoDocument, filesUnder, makeTempDir, testConfig, testRuntime } from '../support/workspace.js';

let dir: string;
let rt: Runtime;
let printed: string[];

beforeEach(async () => {
  dir = await makeTempDir();
  rt = testRuntime(
    testConfig(dir, {
      tasks: {
        'small-export': { type: 'test.export', settings: { outputFile: 'small.xml', count: 2 } },
        'broken-export': { type: 'test.export', settings: { outputFile: 'b.xml', fail: true } },
      },
    }),
  );
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rt.close();
});

async function input(name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

describe('run FILE', () => {
  it('exits 0 when every record is ok, moves the file and prints a summary', async () => {
    const file = await input('all ok.xml', echoDocument('ok', 2));
    expect(await runFile(rt, file)).toBe(0);
    const out = printed.join('\n');
    expect(out).toContain('Task:     test.echo (root <Echo>)');
    expect(out).toContain('Result:   success: 2 records in, 2 ok, 0 failed');
    expect(out).toContain(path.join(dir, 'outbox', 'success', 'all ok.out.xml'));
    expect(out).toMatch(/Original: archived as .*__all ok\.xml/);
    await expect(fs.access(file)).rejects.toThrow();
  });

  it('exits 1 when some records failed', async () => {
    expect(await runFile(rt, await input('some.xml', '<Echo><a><n>1</n></a><a><fail>x</fail></a></Echo>'))).toBe(1);
    expect(printed.join('\n')).toContain('1 ok, 1 failed');
  });

  it('exits 2 when the file failed as a whole, naming the error and the .error.xml', async () => {
    expect(await runFile(rt, await input('bad.xml', '<Echo><a>'))).toBe(2);
    const out = printed.join('\n');
    expect(out).toContain('DW_XML_MALFORMED');
    expect(out).toContain(`the reason is in ${path.join(dir, 'outbox', 'fail', 'bad.xml.error.xml')}`);
  });

  it('refuses a file that does not exist', async () => {
    await expect(runFile(rt, path.join(dir, 'nope.xml'))).rejects.toMatchObject({ code: 'DW_FILE_UNREADABLE' });
  });
});

describe('validate FILE', () => {
  it('exits 0 for a valid file and leaves it where it is', async () => {
    const file = await input('v.xml', echoDocument('v', 2));
    expect(await validate(rt, file)).toBe(0);
    expect(printed.join('\n')).toContain('Valid.');
    await fs.access(file);
    expect(await filesUnder(path.join(dir, 'outbox'))).toEqual([]);
  });

  it('exits 1 listing record problems', async () => {
    expect(await validate(rt, await input('r.xml', '<Echo><a/><a><fail>x</fail></a></Echo>'))).toBe(1);
    expect(printed.join('\n')).toContain('record 2: DW_RECORD_INVALID: the record asks to fail');
  });

  it('exits 2 for a file that cannot be processed, and checks task request settings', async () => {
    expect(await validate(rt, await input('u.xml', '<Unknown/>'))).toBe(2);
    expect(await validate(rt, await input('t.xml', '<TaskRequest><task>test.export</task><settings><count>many</count></settings></TaskRequest>'))).toBe(2);
    const out = printed.join('\n');
    expect(out).toContain('DW_UNKNOWN_ROOT');
    expect(out).toContain('DW_SETTINGS_INVALID');
    expect(out).toContain('"count" must be a whole number');
    expect(out).toContain('"outputFile" is required');
  });
});

describe('task NAME', () => {
  it('exits 0 for a successful run and 2 for a failed one', async () => {
    expect(await runConfiguredTask(rt, 'small-export')).toBe(0);
    expect(await fs.readFile(path.join(dir, 'outbox', 'success', 'small.xml'), 'utf8')).toContain('<key>small-export</key>');
    expect(await runConfiguredTask(rt, 'broken-export')).toBe(2);
    expect(printed.join('\n')).toContain('DW_TRAEDE_AUTH');
    await expect(runConfiguredTask(rt, 'nope')).rejects.toMatchObject({ code: 'DW_TASK_UNKNOWN' });
  });
});

describe('status', () => {
  it('shows recent runs, files in flight, waiting files and watermarks', async () => {
    await runFile(rt, await input('done.xml', echoDocument('d', 1)));
    await fs.writeFile(path.join(dir, 'inbox', 'waiting.xml'), 'x');
    await fs.writeFile(path.join(dir, 'inbox', 'partial.tmp'), 'x');
    await fs.writeFile(path.join(dir, 'work', 'processing', '20261121T120000123-abcdef__stuck.xml'), 'x');
    await rt.store.watermarks.set('small-export', { dateModified: '2026-01-01T00:00:00Z' });
    expect(await showStatus(rt, false)).toBe(0);
    const out = printed.join('\n');
    expect(out).toMatch(/test\.echo\s+done\.xml\s+success\s+1\/1\/0/);
    expect(out).toContain('stuck.xml');
    expect(out).toContain('waiting.xml');
    expect(out).not.toContain('partial.tmp');
    expect(out).toContain('Watermarks by task key (1):\n  small-export: dateModified=2026-01-01T00:00:00Z');
    printed = [];
    await showStatus(rt, true);
    const json = JSON.parse(printed.join('\n')) as { runs: { taskKey: string }[]; inFlight: { name: string }[]; waiting: string[] };
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0]?.taskKey).toMatch(/^test\.echo@default#[0-9a-f]{12}$/);
    expect(json.inFlight.map((f) => f.name)).toEqual(['stuck.xml']);
    expect(json.waiting).toEqual(['waiting.xml']);
  });
});
