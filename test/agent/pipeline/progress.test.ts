import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeProgress, logProgress, terminalProgress } from '../../../src/agent/pipeline/progress.js';
import { captureLogger } from '../../support/capture-log.js';

describe('progress', () => {
  it('describes records, pages, elapsed time and rate', () => {
    expect(describeProgress({ records: 500, total: 1000, pages: 5, message: 'page 5' }, 2000)).toBe('500/1000 records, 5 pages, 2.0 s, 250/s, page 5');
  });

  it('logs at most every interval, and once at the end', () => {
    let now = 0;
    const { log, lines } = captureLogger();
    const sink = logProgress(log, 10_000, () => now)('export');
    for (let i = 1; i <= 30; i++) {
      now += 1000;
      sink.update({ records: i * 10 });
    }
    sink.end();
    expect(lines.map((l) => l.message)).toEqual([
      'export: 100 records, 10.0 s, 10/s',
      'export: 200 records, 20.0 s, 10/s',
      'export: 300 records, 30.0 s, 10/s',
      'export: done, 300 records, 30.0 s, 10/s',
    ]);
  });

  it('rewrites one line on a terminal', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const sink = terminalProgress(out, () => 1000)('run');
    sink.update({ records: 1 });
    sink.update({ records: 2 });
    sink.end();
    expect(text).toBe('\r\x1b[Krun: 1 records, 0.0 s, 0/s\r\x1b[Krun: 2 records, 0.0 s, 0/s\n');
  });
});
