// Decides which task handles a claimed file: the configured route rules first (file-name patterns, in
// order), then the document itself: a task request (root <TaskRequest>, or JSON) names its task, any
// other root element goes to the import task registered for it. Only the first start tag is read.
import fs from 'node:fs/promises';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import { sniffDocument } from '../xml/root-element.js';
import type { TaskRegistry } from './registry.js';
import { resolveTask, routeRuleRef, type ResolvedTask } from './run-plan.js';
import { TASK_REQUEST_ROOT, readTaskRequest } from './task-request.js';

export interface FileRoute extends ResolvedTask {
  /** Import files are the task's input; a task request only triggers the task. */
  takesInput: boolean;
  /** Why this task was chosen, for logs: `route rule 1 (pay-*.xml)`, `root <InvoicePayments>`, `task request`. */
  reason: string;
}

export type FileRouterConfig = Pick<AppConfig, 'routes' | 'tasks' | 'processing'>;

/** A case-insensitive file-name glob: `*` any run of characters, `?` one character. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export class FileRouter {
  private readonly rules: { re: RegExp; rule: AppConfig['routes'][number] }[];

  constructor(
    private readonly config: FileRouterConfig,
    private readonly registry: TaskRegistry,
  ) {
    this.rules = config.routes.map((rule) => ({ re: globToRegExp(rule.pattern), rule }));
  }

  /** What a file that could not be routed looks like, for the run history: `<root>` or `(none)`. */
  async describe(file: string): Promise<string> {
    return sniffDocument(file).then(
      (doc) => (doc.kind === 'xml' ? `<${doc.root}>` : '(none)'),
      () => '(none)',
    );
  }

  /** `file` is where the file is now, `name` the name it was dropped with. */
  async route(file: string, name: string): Promise<FileRoute> {
    await this.checkSize(file);
    const index = this.rules.findIndex(({ re }) => re.test(name));
    const matched = this.rules[index];
    if (matched) {
      const resolved = resolveTask(routeRuleRef(matched.rule, this.config), this.config, this.registry);
      return { ...resolved, takesInput: true, reason: `route rule ${index + 1} (${matched.rule.pattern})` };
    }
    const doc = await sniffDocument(file);
    if (doc.kind === 'json' || doc.root === TASK_REQUEST_ROOT) {
      const request = await readTaskRequest(file, doc.kind);
      return { ...resolveTask(request, this.config, this.registry), takesInput: false, reason: 'task request' };
    }
    const definition = this.registry.byRoot(doc.root);
    if (!definition) {
      const known = [TASK_REQUEST_ROOT, ...this.registry.roots()].map((r) => `<${r}>`).join(', ');
      throw new DropwiseError('DW_UNKNOWN_ROOT', `No task handles files whose root element is <${doc.root}> (known roots: ${known})`, {
        hint: 'Check that the right file was dropped, or add a route rule in the config that names the task for this file',
      });
    }
    return { definition, settings: {}, asConfigured: false, takesInput: true, reason: `root <${doc.root}>` };
  }

  private async checkSize(file: string): Promise<void> {
    const { size } = await fs.stat(file);
    if (size === 0) {
      throw new DropwiseError('DW_FILE_EMPTY', 'The file is empty (0 bytes)', {
        hint: 'Check the program that wrote it and drop the file again once it has content',
      });
    }
    if (size > this.config.processing.maxFileBytes) {
      throw new DropwiseError('DW_FILE_TOO_LARGE', `The file is ${size} bytes, more than processing.maxFileBytes (${this.config.processing.maxFileBytes})`, {
        hint: 'Split the file, or raise processing.maxFileBytes in the config',
      });
    }
  }
}
