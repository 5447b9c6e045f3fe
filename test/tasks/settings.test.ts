import { describe, expect, it } from 'vitest';
import { SettingsReader } from '../../src/tasks/settings.js';

const read = (raw: Record<string, unknown>, fn: (r: SettingsReader) => unknown) => {
  const r = new SettingsReader(raw, 'test.task');
  const value = fn(r);
  r.done();
  return value;
};

describe('SettingsReader.fileName', () => {
  it('gives the name or its default, allowing ".." inside a name', () => {
    expect(read({}, (r) => r.fileName('outputFile', 'out.xml'))).toBe('out.xml');
    expect(read({ OutputFile: ' a..b.xml ' }, (r) => r.fileName('outputFile', 'out.xml'))).toBe('a..b.xml');
  });

  it('refuses a name that is not a plain file name, given or default, as a settings problem', () => {
    expect(() => read({ outputFile: '../x.xml' }, (r) => r.fileName('outputFile', 'out.xml'))).toThrowError(
      expect.objectContaining({ code: 'DW_SETTINGS_INVALID', message: expect.stringMatching(/"outputFile" "\.\.\/x\.xml" is not a usable file name: it contains a path separator/) as string }) as Error,
    );
    expect(() => read({}, (r) => r.fileName('failFile', 'nul'))).toThrowError(/"failFile" "nul" \(its default\) is not a usable file name/);
  });
});

describe('SettingsReader.date', () => {
  it('reads the same ISO 8601 forms as record fields, also in brackets, in UTC to the second', () => {
    expect(read({ since: '2024-01-31' }, (r) => r.date('since'))).toBe('2024-01-31T00:00:00Z');
    expect(read({ since: '[2024-01-31T10:20:30.750+01:00]' }, (r) => r.date('since'))).toBe('2024-01-31T09:20:30Z');
  });

  it.each(['2023-02-29', '2024-01-31T25:00', '31/01/2024', '2024-01-31T1'])('refuses %j', (value) => {
    expect(() => read({ since: value }, (r) => r.date('since'))).toThrowError(/"since" must be an ISO 8601 date/);
  });
});
