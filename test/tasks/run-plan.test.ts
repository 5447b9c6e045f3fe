// The run planner: one place decides the definition, the parsed settings, the connection and the
// watermark key of a run; the same planning checks the configured tasks and routes at load time.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { TaskRegistry } from '../../src/tasks/registry.js';
import { RunPlanner, checkConfiguredRuns } from '../../src/tasks/run-plan.js';
import { exportTask, testTasks } from '../support/tasks.js';
import { makeTempDir, testConfig } from '../support/workspace.js';

const registry = new TaskRegistry(testTasks);
const SHOP = { type: 'traede', url: 'http://127.0.0.1:9/', token: 'token-1234', appKey: 'app-key-1234' };

describe('RunPlanner', () => {
  it('plans a configured task once: parsed settings, its connection, its own watermark key', async () => {
    const config = testConfig(await makeTempDir(), {
      connections: { shop: SHOP },
      tasks: { nightly: { type: 'test.export', connection: 'shop', settings: { outputFile: 'n.xml', count: '5' } } },
    });
    const planner = new RunPlanner(config, registry);
    expect(planner.plan(planner.resolve({ name: 'nightly' }))).toEqual({
      definition: exportTask,
      taskName: 'nightly',
      settings: { outputFile: 'n.xml', count: 5, fail: false },
      connection: 'shop',
      taskKey: 'nightly',
    });
    const adHoc = planner.plan(planner.resolve({ name: 'nightly', settings: { count: 6 } }));
    expect(adHoc.taskKey).toMatch(/^nightly@shop#[0-9a-f]{12}$/);
  });

  it('takes the default connection of the kind, and leaves it undefined when there is none', async () => {
    const dir = await makeTempDir();
    const withShop = new RunPlanner(testConfig(dir, { connections: { shop: SHOP } }), registry);
    expect(withShop.plan(withShop.resolve({ type: 'test.export', settings: { outputFile: 'o.xml' } })).connection).toBe('shop');
    const none = new RunPlanner(testConfig(dir), registry);
    expect(none.plan(none.resolve({ type: 'test.export', settings: { outputFile: 'o.xml' } })).connection).toBeUndefined();
  });

  it('refuses bad settings and a connection that does not exist or is of the wrong kind', async () => {
    const planner = new RunPlanner(testConfig(await makeTempDir(), { connections: { shop: SHOP } }), registry);
    expect(() => planner.plan(planner.resolve({ type: 'test.export', settings: { outputFile: 'o.xml', count: 'many' } }))).toThrow(
      expect.objectContaining({ code: 'DW_SETTINGS_INVALID', message: expect.stringContaining('"count" must be a whole number') }),
    );
    expect(() => planner.plan(planner.resolve({ type: 'test.export', connection: 'shopp', settings: { outputFile: 'o.xml' } }))).toThrow(
      expect.objectContaining({ code: 'DW_CONNECTION_UNKNOWN', message: expect.stringContaining('"shopp"') }),
    );
    expect(() => planner.plan(planner.resolve({ type: 'test.echo', connection: 'shop' }), { name: 'in.xml' })).toThrow(/traede connection, but this task needs connectwise/);
  });
});

describe('checkConfiguredRuns', () => {
  async function configWith(content: Record<string, unknown>): Promise<{ file: string; check: () => void }> {
    const dir = await makeTempDir();
    const file = path.join(dir, 'dropwise.json');
    fs.writeFileSync(file, JSON.stringify({ sandbox: { mode: 'off' }, log: { file: '' }, ...content }));
    const config = loadConfig({ file, env: {} });
    return { file, check: () => checkConfiguredRuns(config, registry) };
  }

  function refusal(check: () => void): { code: string; message: string } {
    try {
      check();
    } catch (err) {
      return err as { code: string; message: string };
    }
    throw new Error('the config was not refused');
  }

  it('accepts configured tasks and routes that plan', async () => {
    const { check } = await configWith({
      tasks: { nightly: { type: 'test.export', schedule: '0 2 * * *', settings: { outputFile: 'n.xml' } }, echo: { type: 'test.echo', settings: { base: 'x' } } },
      routes: [{ pattern: 'e-*.xml', task: 'echo' }, { pattern: 'n-*.xml', task: 'nightly' }, { pattern: 's-*.xml', task: 'test.slow' }],
    });
    expect(check).not.toThrow();
  });

  it.each([
    ['a bad setting', { tasks: { nightly: { type: 'test.export', settings: { outputFile: 'n.xml', count: 'many' } } } }, 'tasks.nightly.settings', '"count" must be a whole number'],
    ['an unknown type', { tasks: { nightly: { type: 'test.exprot', settings: {} } } }, 'tasks.nightly.type "test.exprot"', 'There is no task type "test.exprot"'],
    ['a route to an unknown task', { routes: [{ pattern: '*.xml', task: 'nighty' }] }, 'routes[0].task "nighty"', 'There is no configured task or task type "nighty"'],
    ['an unknown connection', { tasks: { nightly: { type: 'test.export', connection: 'shop', settings: { outputFile: 'n.xml' } } } }, 'tasks.nightly.connection "shop"', 'no connection named "shop"'],
    ['a schedule on an import task', { tasks: { echo: { type: 'test.slow', schedule: '0 2 * * *' } } }, 'tasks.echo.schedule "0 2 * * *"', 'a scheduled run has none'],
  ])('refuses %s, naming the key, the value and the file', async (_, content, key, why) => {
    const { file, check } = await configWith(content);
    const err = refusal(check);
    expect(err.code).toBe('DW_CONFIG_INVALID');
    expect(err.message).toContain(`Invalid configuration in ${file}: ${key}`);
    expect(err.message).toContain(why);
  });
});
