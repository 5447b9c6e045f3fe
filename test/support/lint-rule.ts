// One lint rule of the project's own eslint.config.js run on code written for a test, as if it were a
// file of the repository: if the rule or its wiring breaks, the test fails instead of the lint
// silently passing everything.
import path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from './cli.js';

/** The messages `ruleId` gives for `code` as the file `file` (relative to the repository), each `ruleId: message`. */
export function lintRule(ruleId: string): (file: string, code: string) => Promise<string[]> {
  const eslint = new ESLint({
    cwd: ROOT,
    ruleFilter: (rule) => rule.ruleId === ruleId,
    // The snippets are not files of the TypeScript project: parse them without type information.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  });
  return async (file, code) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
  };
}
