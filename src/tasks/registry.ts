// The task types this build of dropwise knows. Each task file exports its TaskDefinition; add it to
// builtInTasks below. The agent routes import files to a task by its inputRoot.
import { DropwiseError } from '../errors.js';
import { createAccountingBatchTask } from './connectwise/create-accounting-batch.js';
import { exportBatchesTask } from './connectwise/export-batches.js';
import { exportGlBatchTask } from './connectwise/export-gl-batch.js';
import { exportInvoicesTask } from './connectwise/export-invoices.js';
import { importInvoicePaymentsTask } from './connectwise/import-invoice-payments.js';
import { traedeExportInvoicesTask } from './traede/export-invoices.js';
import type { TaskDefinition } from './types.js';

export const builtInTasks: TaskDefinition[] = [exportInvoicesTask, exportBatchesTask, exportGlBatchTask, importInvoicePaymentsTask, traedeExportInvoicesTask, createAccountingBatchTask];

export class TaskRegistry {
  private readonly byType = new Map<string, TaskDefinition>();
  private readonly byInputRoot = new Map<string, TaskDefinition>();

  constructor(definitions: readonly TaskDefinition[] = builtInTasks) {
    for (const def of definitions) {
      if (this.byType.has(def.type)) throw new Error(`Two task definitions have the type ${def.type}`);
      this.byType.set(def.type, def);
      if (def.inputRoot === undefined) continue;
      const other = this.byInputRoot.get(def.inputRoot);
      if (other) throw new Error(`Tasks ${other.type} and ${def.type} both take <${def.inputRoot}> files`);
      this.byInputRoot.set(def.inputRoot, def);
    }
  }

  get(type: string): TaskDefinition | undefined {
    return this.byType.get(type);
  }

  /** The definition of `type`, or DW_TASK_UNKNOWN listing the known types. */
  require(type: string): TaskDefinition {
    const def = this.byType.get(type);
    if (!def) {
      throw new DropwiseError('DW_TASK_UNKNOWN', `There is no task type "${type}"`, {
        hint: `Use one of: ${this.types().join(', ') || '(none in this build)'}`,
      });
    }
    return def;
  }

  /** The import task for files with this root element. */
  byRoot(root: string): TaskDefinition | undefined {
    return this.byInputRoot.get(root);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  roots(): string[] {
    return [...this.byInputRoot.keys()].sort();
  }
}
