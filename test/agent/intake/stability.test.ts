import { describe, expect, it } from 'vitest';
import { StabilityTracker, isPartialName } from '../../../src/agent/intake/stability.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('StabilityTracker', () => {
  it('is ready only after size and mtime stayed the same for stabilityMs from first sight', () => {
    const c = clock();
    const t = new StabilityTracker(300, c.now);
    // An old mtime (a Windows copy keeps the source's) does not make a file ready.
    expect(t.observe('a.xml', { size: 10, mtimeMs: 5 })).toBe(false);
    c.advance(299);
    expect(t.observe('a.xml', { size: 10, mtimeMs: 5 })).toBe(false);
    c.advance(1);
    expect(t.observe('a.xml', { size: 10, mtimeMs: 5 })).toBe(true);
  });

  it('starts over when the size or the mtime changes', () => {
    const c = clock();
    const t = new StabilityTracker(300, c.now);
    t.observe('a.xml', { size: 10, mtimeMs: 5 });
    c.advance(250);
    expect(t.observe('a.xml', { size: 20, mtimeMs: 5 })).toBe(false);
    c.advance(250);
    expect(t.observe('a.xml', { size: 20, mtimeMs: 6 })).toBe(false);
    c.advance(299);
    expect(t.observe('a.xml', { size: 20, mtimeMs: 6 })).toBe(false);
    c.advance(1);
    expect(t.observe('a.xml', { size: 20, mtimeMs: 6 })).toBe(true);
  });

  it('takes an empty file that stays empty (it then fails as DW_FILE_EMPTY)', () => {
    const c = clock();
    const t = new StabilityTracker(300, c.now);
    t.observe('e.xml', { size: 0, mtimeMs: 1 });
    c.advance(300);
    expect(t.observe('e.xml', { size: 0, mtimeMs: 1 })).toBe(true);
  });

  it('tracks files separately and forgets on request', () => {
    const c = clock();
    const t = new StabilityTracker(100, c.now);
    t.observe('a', { size: 1, mtimeMs: 1 });
    c.advance(100);
    t.observe('b', { size: 1, mtimeMs: 1 });
    expect(t.observe('a', { size: 1, mtimeMs: 1 })).toBe(true);
    expect(t.observe('b', { size: 1, mtimeMs: 1 })).toBe(false);
    t.forget('a');
    expect(t.size).toBe(1);
    expect(t.observe('a', { size: 1, mtimeMs: 1 })).toBe(false);
  });

  it('with stabilityMs 0 takes a file at first sight', () => {
    expect(new StabilityTracker(0).observe('a', { size: 1, mtimeMs: 1 })).toBe(true);
  });
});

describe('isPartialName', () => {
  it.each(['x.tmp', 'X.TMP', '~lock.xml', 'a.part', 'b.crdownload', '.hidden', 'c.partial', 'e.filepart'])('refuses %s', (name) => {
    expect(isPartialName(name)).toBe(true);
  });
  it.each(['payments.xml', 'my file é.xml', 'request.json', 'tmp.xml', 'a~b.xml', 'd.xml.error.xml'])('accepts %s', (name) => {
    expect(isPartialName(name)).toBe(false);
  });
});
