// The assembly every verb shares: a config whose configured tasks or routes do not plan is refused
// before any folder, store or sandbox is touched.
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/commands/runtime.js';
import { makeTempDir } from '../support/workspace.js';

async function configFile(content: Record<string, unknown>): Promise<string> {
  const dir = await makeTempDir();
  const file = path.join(dir, 'dropwise.json');
  await fs.writeFile(file, JSON.stringify({ sandbox: { mode: 'off' }, log: { file: '', console: false }, ...content }));
  return file;
}

describe('openRuntime', () => {
  it.each([
    ['a bad setting', { tasks: { nightly: { type: 'connectwise.export-invoices', settings: { pageSize: 'lots' } } } }, 'tasks.nightly.settings {"pageSize":"lots"}', '"pageSize" must be'],
    ['an unknown type', { tasks: { nightly: { type: 'connectwise.export-invoice' } } }, 'tasks.nightly.type "connectwise.export-invoice"', 'connectwise.export-invoices'],
    ['a route to an unknown task', { routes: [{ pattern: 'pay-*.xml', task: 'nighty' }] }, 'routes[0].task "nighty"', 'There is no configured task or task type "nighty"'],
  ])('refuses a config with %s, naming the key, the value and the file', async (_, content, key, why) => {
    const file = await configFile(content);
    const err = await openRuntime({ config: file }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DW_CONFIG_INVALID' });
    const { fullMessage } = err as { fullMessage: string };
    expect(fullMessage).toContain(`Invalid configuration in ${file}: ${key}`);
    expect(fullMessage).toContain(why);
    // Refused before the state store was opened.
    expect(await fs.readdir(path.dirname(file))).toEqual(['dropwise.json']);
  });

  it('opens a config whose tasks and routes plan, and freezes it', async () => {
    const file = await configFile({
      tasks: { nightly: { type: 'connectwise.export-invoices', schedule: '0 2 * * *', settings: { pageSize: '50' } } },
      routes: [{ pattern: 'pay-*.xml', task: 'connectwise.import-invoice-payments' }],
    });
    const rt = await openRuntime({ config: file });
    try {
      expect(Object.isFrozen(rt.config)).toBe(true);
      expect(() => {
        (rt.config.tasks['nightly'] as { settings: Record<string, unknown> }).settings['pageSize'] = '60';
      }).toThrow(TypeError);
      expect(rt.config.tasks['nightly']?.settings).toEqual({ pageSize: '50' });
    } finally {
      await rt.close();
    }
  });
});
