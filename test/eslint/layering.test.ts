// The layering rule through the project's own eslint.config.js, on imports written for the purpose:
// if the rule or its wiring breaks, these fail instead of the lint silently passing everything.
import { describe, expect, it } from 'vitest';
import { lintRule } from '../support/lint-rule.js';

/** The layering messages for `code` as if it were the file `file` (relative to the repository). */
const layering = lintRule('dropwise/layering');

describe('layering lint rule', () => {
  it.each([
    ['a task importing the agent', 'src/tasks/x.ts', "import { Agent } from '../agent/agent.js';", 'may not import agent'],
    ['the fs floor importing state', 'src/fs/x.ts', "export { JsonDocument } from '../state/json-document.js';", 'may not import state'],
    ['errors importing the logger', 'src/errors.ts', "import { createLogger } from './log.js';", 'share floor'],
    ['a dynamic upward import', 'src/connectors/connectwise/x.ts', "export const load = () => import('../../tasks/registry.js');", 'may not import tasks'],
    ['the agent importing the sandbox', 'src/agent/x.ts', "import { startSandbox } from '../simulator/index.js';", 'may not import the sandbox'],
    ['the sandbox importing dropwise code', 'src/simulator/data/x.ts', "import { DropwiseError } from '../../errors.js';", 'only its own code'],
    ['the agent parsing XML itself', 'src/agent/pipeline/x.ts', "import { sniffDocument } from '../../xml/root-element.js';", 'only tasks read and write file formats'],
    ['a folder with no floor', 'src/reports/x.ts', "import { ERROR_CODES } from '../errors.js';", 'not in the floor table'],
  ])('fires on %s', async (_what, file, code, says) => {
    const messages = await layering(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('dropwise/layering');
    expect(messages[0]).toContain(says);
  });

  it.each([
    ['the agent importing a task and the fs floor', 'src/agent/x.ts', "import { TaskRegistry } from '../tasks/registry.js';\nimport { placeFile } from '../fs/place-file.js';"],
    ['a verb starting the sandbox', 'src/commands/x.ts', "export const load = () => import('../simulator/index.js');"],
    ['the sandbox importing itself', 'src/simulator/data/x.ts', "import { invalid } from '../errors.js';"],
    ['a package import', 'src/xml/x.ts', "import { SaxesParser } from 'saxes';"],
  ])('lets %s pass', async (_what, file, code) => {
    expect(await layering(file, code)).toEqual([]);
  });
});
