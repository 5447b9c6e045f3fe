// The run history's day files: the migration of a runs.json left by an earlier version, and lines torn
// by a crash in the middle of an append.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DailyRunHistory } from '../../src/state/run-history.js';
import type { RunRecord } from '../../src/state/store.js';
import { makeTempDirSync } from '../support/temp-dir.js';

const tmp = () => makeTempDirSync('dw-runs-');

const legacyRun = (i: number, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord => ({
  id: `old-${i}`,
  task: 'connectwise.export-invoices',
  taskName: 'nightly',
  trigger: 'schedule',
  startedAt,
  endedAt: startedAt,
  recordsIn: i,
  recordsOk: i,
  recordsFailed: 0,
  result: 'success',
  outputs: [`/out/invoices-${i}.xml`],
  ...extra,
});

const legacy = [
  legacyRun(1, '2026-10-30T02:00:00.000Z'),
  legacyRun(2, '2026-10-31T02:00:00.000Z', { result: 'failed', error: { code: 'DW_CW_UNAVAILABLE', message: 'down' } }),
  legacyRun(3, '2026-10-31T14:00:00.000Z', { details: { glEntryIdsFile: '/state/gl-entry-ids/old-3.txt', glEntryIdCount: 3 } }),
];

const lines = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('run history: migration from runs.json', () => {
  it('reads runs.json as it is while only reading, and moves it into day files at the first write', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'runs.json'), JSON.stringify({ runs: legacy }, null, 2));

    const reader = new DailyRunHistory(dir);
    expect((await reader.recent(10)).map((r) => r.id)).toEqual(['old-3', 'old-2', 'old-1']);
    expect(fs.readdirSync(dir)).toEqual(['runs.json']);

    const writer = new DailyRunHistory(dir);
    const run = await writer.start({ task: 't', trigger: 'cli' });
    await writer.finish(run.id, { result: 'success' });
    expect(fs.readdirSync(dir).sort()).toEqual(['runs', 'runs.json.migrated']);
    expect(fs.readdirSync(path.join(dir, 'runs')).sort()).toEqual(['2026-10-30.jsonl', '2026-10-31.jsonl', `${run.startedAt.slice(0, 10)}.jsonl`]);
    expect(lines(path.join(dir, 'runs', '2026-10-31.jsonl'))).toEqual([{ start: legacy[1] }, { start: legacy[2] }]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'runs.json.migrated'), 'utf8'))).toEqual({ runs: legacy });

    const reopened = new DailyRunHistory(dir);
    const all = await reopened.query({ limit: 10 });
    expect(all.runs.map((r) => r.id)).toEqual([run.id, 'old-3', 'old-2', 'old-1']);
    expect(all.runs.slice(1)).toEqual([legacy[2], legacy[1], legacy[0]]);
    expect(await reopened.get('old-2')).toEqual(legacy[1]);
    expect((await reopened.query({ result: 'failed' })).runs.map((r) => r.id)).toEqual(['old-2']);
  });

  it('repeated after a crash before the rename, it adds only the runs a day file lacks', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'runs.json'), JSON.stringify({ runs: legacy }));
    fs.mkdirSync(path.join(dir, 'runs'));
    // The first attempt wrote 2026-10-31 with one of its two runs and crashed.
    fs.writeFileSync(path.join(dir, 'runs', '2026-10-31.jsonl'), `${JSON.stringify({ start: legacy[1] })}\n`);
    const history = new DailyRunHistory(dir);
    await history.start({ task: 't', trigger: 'cli' });
    expect(lines(path.join(dir, 'runs', '2026-10-31.jsonl'))).toEqual([{ start: legacy[1] }, { start: legacy[2] }]);
    expect((await new DailyRunHistory(dir).query({})).total).toBe(4);
  });

  it('a runs.json that is not JSON is a clear read error naming it', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'runs.json'), '{ "runs": [ torn');
    await expect(new DailyRunHistory(dir).start({ task: 't', trigger: 'cli' })).rejects.toMatchObject({ code: 'DW_STATE_READ', message: expect.stringContaining('runs.json') });
    expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false);
  });
});

describe('run history: day files', () => {
  it('writes a start and a finish line per run, in the file of the day the run started', async () => {
    const dir = tmp();
    const history = new DailyRunHistory(dir);
    const run = await history.start({ task: 'connectwise.import-invoice-payments', trigger: 'file', file: 'p.xml' });
    await history.finish(run.id, { result: 'partial', recordsIn: 3, recordsOk: 2, recordsFailed: 1 });
    const [start, finish] = lines(path.join(dir, 'runs', `${run.startedAt.slice(0, 10)}.jsonl`)) as [{ start: RunRecord }, { finish: Record<string, unknown> }];
    expect(start.start).toEqual(run);
    expect(finish.finish).toMatchObject({ id: run.id, result: 'partial', recordsIn: 3, recordsOk: 2, recordsFailed: 1, endedAt: expect.any(String) });
  });

  it('ignores a line torn by a crash when reading, and cuts it off before appending', async () => {
    const dir = tmp();
    const first = new DailyRunHistory(dir);
    const run = await first.start({ task: 't', trigger: 'cli' });
    const file = path.join(dir, 'runs', `${run.startedAt.slice(0, 10)}.jsonl`);
    fs.appendFileSync(file, '{"finish":{"id":"');

    expect((await new DailyRunHistory(dir).get(run.id))?.result).toBe('running');
    const second = new DailyRunHistory(dir);
    await second.finish(run.id, { result: 'interrupted' });
    expect(lines(file)).toEqual([{ start: run }, { finish: expect.objectContaining({ id: run.id, result: 'interrupted' }) }]);
    expect((await new DailyRunHistory(dir).get(run.id))?.result).toBe('interrupted');
  });

  it('a damaged whole line is a clear read error naming its day file', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'runs'));
    fs.writeFileSync(path.join(dir, 'runs', '2026-11-01.jsonl'), 'not json\n');
    await expect(new DailyRunHistory(dir).recent(5)).rejects.toMatchObject({ code: 'DW_STATE_READ', message: expect.stringContaining('2026-11-01.jsonl') });
  });
});

describe('run history: a damaged day file', () => {
  it('is set aside at start, keeping the other days, and the history goes on', async () => {
    const dir = tmp();
    const runsDir = path.join(dir, 'runs');
    fs.mkdirSync(runsDir, { recursive: true });
    const good = { start: legacyRun(1, '2026-11-30T02:00:00.000Z') };
    fs.writeFileSync(path.join(runsDir, '2026-11-30.jsonl'), `${JSON.stringify(good)}\n`);
    // A whole line that is not JSON (edited by hand, a disk fault): not a torn last line.
    fs.writeFileSync(path.join(runsDir, '2026-12-01.jsonl'), `{"start": nonsense}\n${JSON.stringify({ start: legacyRun(2, '2026-12-01T02:00:00.000Z') })}\n`);
    const history = new DailyRunHistory(dir);
    await expect(history.recent(10)).rejects.toMatchObject({ code: 'DW_STATE_READ' });

    const movedTo = await history.setAsideIfDamaged();
    expect(movedTo).toMatch(/2026-12-01\.jsonl\.damaged-/);
    expect(fs.existsSync(movedTo as string)).toBe(true);
    expect((await history.recent(10)).map((r) => r.id)).toEqual(['old-1']);
    const run = await history.start({ task: 't', trigger: 'cli' });
    expect((await history.get(run.id))?.result).toBe('running');
    expect(await history.setAsideIfDamaged()).toBeUndefined();
  });
});
