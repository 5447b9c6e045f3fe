// `dropwise validate`: everything the agent would check before calling an API, on a file left where it
// is: size, root element and route, the task request and the task's settings, and for import files the
// task's own record checks.
import path from 'node:path';
import type { AppConfig } from '../config/load.js';
import { toDropwiseError, type DropwiseError } from '../errors.js';
import { checkRegularFile } from '../fs/entry-kind.js';
import type { TaskRegistry } from '../tasks/registry.js';
import { FileRouter, type FileRoute } from '../tasks/file-router.js';
import { RunPlanner } from '../tasks/run-plan.js';
import type { ValidationReport } from '../tasks/types.js';

export interface FileValidation {
  route?: FileRoute;
  /** The file as a whole cannot be processed. */
  error?: DropwiseError;
  /** The task's record checks, for import files whose task has them. */
  report?: ValidationReport;
  /** 0 valid, 1 some records have problems, 2 the file is invalid (the exit codes of `validate`). */
  exitCode: 0 | 1 | 2;
}

export async function validateFile(file: string, config: AppConfig, registry: TaskRegistry): Promise<FileValidation> {
  const name = path.basename(file);
  let route: FileRoute;
  try {
    // As the agent would: a missing file, a folder or a link is refused before anything reads it.
    await checkRegularFile(file);
    route = await new FileRouter(config, registry).route(file, name);
  } catch (err) {
    return { error: toDropwiseError(err), exitCode: 2 };
  }
  try {
    const plan = new RunPlanner(config, registry).plan(route, route.takesInput ? { name } : undefined);
    if (!route.takesInput || !route.definition.validateFile) return { route, exitCode: 0 };
    const report = await route.definition.validateFile(file, plan.settings);
    const fileProblem = report.problems.some((p) => p.record === undefined);
    return { route, report, exitCode: report.ok ? 0 : fileProblem ? 2 : 1 };
  } catch (err) {
    return { route, error: toDropwiseError(err), exitCode: 2 };
  }
}
