// The floors of src/ and what each may import (docs: ARCHITECTURE "Layering"). A floor imports only
// floors below it (a higher number); folders on the same floor do not import each other. Relative
// imports are resolved, static and dynamic ones alike, so `import('../agent/agent.js')` counts too.
import path from 'node:path';

/** src/<folder>/… or src/<file>.ts → its floor (lower number = higher floor). */
export const FLOORS = {
  cli: 0,
  commands: 1,
  index: 1, // the package entry (`exports`): imported by nobody inside
  api: 2, // beside commands: drives the agent; commands may start it, nothing below imports it
  agent: 3,
  notify: 4, // used by the agent; imports no task
  tasks: 5,
  connectors: 6,
  xml: 7,
  state: 7,
  fs: 8,
  async: 8, // limiter, read-ahead, back-off, the shutdown error: below every floor that waits or runs in parallel
  config: 9,
  json: 10, // the config reads JSON values with it
  time: 10, // the one ISO 8601 reader
  errors: 11,
  log: 11,
  secrets: 12, // the redaction registry below both errors and log
  events: 12, // named diagnostics channels: published from any floor, read by api/ (metrics)
  version: 12, // the package's name and version
  'crash-point': 12, // the crash-point test hook: called from every floor that changes durable state
  commonjs: 12, // requireCommonJs: how the CommonJS packages are loaded (src/commonjs.ts says why)
};

/** File formats are the tasks' business: only these floors read or write XML (ARCHITECTURE: tasks → xml). */
export const FORMAT = 'xml';
export const FORMAT_USERS = ['tasks'];

/** The sandbox: only these floors may import it, and it imports nothing outside itself. */
export const SIMULATOR = 'simulator';
export const SIMULATOR_USERS = ['cli', 'commands'];

function floorOf(srcDir, file) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length === 0 ? first.replace(/\.[cm]?[jt]s$/, '') : first;
}

/** @type {import('eslint').Rule.RuleModule} */
export const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'a floor of src/ imports only the floors below it; the agent side never imports the sandbox' },
    schema: [{ type: 'object', properties: { srcDir: { type: 'string' } }, additionalProperties: false }],
    messages: {
      upward: '{{from}} (floor {{fromFloor}}) may not import {{to}} (floor {{toFloor}}): a floor imports only the floors below it',
      peer: '{{from}} and {{to}} share floor {{fromFloor}}: folders on one floor do not import each other',
      simulator: '{{from}} may not import the sandbox (src/simulator): only {{users}} do',
      simulatorOut: 'the sandbox imports only its own code, not {{to}}',
      format: '{{from}} may not import xml: only {{users}} read and write file formats (go through the task registry)',
      unplaced: '{{floor}} is not in the floor table of eslint/layering.js: give it a floor',
    },
  },
  create(context) {
    const srcDir = path.resolve(context.cwd, context.options[0]?.srcDir ?? 'src');
    const from = floorOf(srcDir, context.filename);
    if (from === undefined) return {};
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const to = floorOf(srcDir, path.resolve(path.dirname(context.filename), source.value));
      if (to === undefined || to === from) return;
      const report = (messageId, data = {}) => context.report({ node, messageId, data: { from, to, ...data } });
      if (from === SIMULATOR) return report('simulatorOut');
      if (to === SIMULATOR) return SIMULATOR_USERS.includes(from) ? undefined : report('simulator', { users: SIMULATOR_USERS.join(', ') });
      for (const floor of [from, to]) if (!(floor in FLOORS)) return report('unplaced', { floor });
      if (to === FORMAT && !FORMAT_USERS.includes(from)) return report('format', { users: FORMAT_USERS.join(', ') });
      const [fromFloor, toFloor] = [FLOORS[from], FLOORS[to]];
      if (toFloor < fromFloor) report('upward', { fromFloor, toFloor });
      else if (toFloor === fromFloor) report('peer', { fromFloor });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : undefined),
    };
  },
};

export default { rules: { layering } };
