// Not part of the suite: test/temp-dir-cleanup.test.ts runs this file in a vitest of its own, with the
// suite's setup files, and then checks that the folders it made are gone. The file writes their paths to
// $DW_TEMP_DIR_REPORT; its own afterAll hooks check that the folders are still there, since the cleanup
// must come after them (they are where a test file stops the agents and servers using its folders).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, makeTempDirSync, recordedTempDirs } from '../temp-dir.js';

const report = process.env['DW_TEMP_DIR_REPORT'];
if (report === undefined) throw new Error('made.fixture.ts is run by test/temp-dir-cleanup.test.ts, which sets DW_TEMP_DIR_REPORT');

// Made while the file is collected, as a module's top level does (test/xml/encoding.test.ts).
const made: string[] = [makeTempDirSync('dw-cleanup-fixture-')];
let removedByTest = '';
const present = () => made.filter((dir) => fs.existsSync(dir));

describe('a describe block', () => {
  it('makes a folder with subfolders and files in it', async () => {
    const dir = await makeTempDir('dw-cleanup-fixture-');
    made.push(dir);
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'b', 'file.txt'), 'x');
  });

  it('makes one and removes it itself, which the cleanup must not mind', async () => {
    removedByTest = await makeTempDir('dw-cleanup-fixture-');
    made.push(removedByTest);
    fs.rmSync(removedByTest, { recursive: true });
  });

  afterAll(() => {
    expect(present()).toEqual(made.filter((dir) => dir !== removedByTest));
  });
});

afterAll(() => {
  expect(made).toHaveLength(3);
  expect(recordedTempDirs()).toEqual(made);
  expect(present()).toEqual(made.filter((dir) => dir !== removedByTest));
  fs.writeFileSync(report, JSON.stringify(made));
});
