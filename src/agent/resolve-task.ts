// Turns "which task" (a configured task name, or a task type with a connection and settings) into the
// definition to run and the settings to give it. Used by task requests, route rules, schedules and
// `dropwise task`.
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { TaskRegistry } from '../tasks/registry.js';
import type { TaskDefinition } from '../tasks/types.js';
import { sameSettings } from './task-key.js';

export interface ResolvedTask {
  definition: TaskDefinition;
  /** The configured task this run comes from, if any. */
  taskName?: string;
  /** The connection asked for; undefined means the default connection of the task's kind. */
  connection?: string;
  settings: Record<string, unknown>;
  /** The configured task exactly as configured (nothing overridden): it may use the task's own watermarks. */
  asConfigured: boolean;
}

export interface TaskRef {
  /** A configured task, used as the base. */
  name?: string;
  /** A task type. */
  type?: string;
  connection?: string;
  /** Settings that override the configured task's. */
  settings?: Record<string, unknown>;
}

type TasksConfig = Pick<AppConfig, 'tasks'>;

export function resolveTask(ref: TaskRef, config: TasksConfig, registry: TaskRegistry): ResolvedTask {
  if (ref.name !== undefined) {
    const configured = config.tasks[ref.name];
    if (!configured) {
      throw new DropwiseError('DW_TASK_UNKNOWN', `There is no configured task named "${ref.name}"`, {
        hint: `Use one of the tasks under "tasks" in the config: ${Object.keys(config.tasks).join(', ') || '(none configured)'}`,
      });
    }
    if (ref.type !== undefined && ref.type !== configured.type) {
      throw new DropwiseError('DW_TASK_REQUEST_INVALID', `Task "${ref.name}" is a ${configured.type} task, not ${ref.type}`, {
        hint: 'Give either the name of a configured task or a task type, or make them agree',
      });
    }
    const connection = ref.connection ?? configured.connection;
    const settings = mergeSettings(configured.settings, ref.settings ?? {});
    return {
      definition: registry.require(configured.type),
      taskName: ref.name,
      connection,
      settings,
      asConfigured: connection === configured.connection && sameSettings(settings, configured.settings),
    };
  }
  if (ref.type === undefined) {
    throw new DropwiseError('DW_TASK_REQUEST_INVALID', 'No task is named: give <name> (a configured task) or <task> (a task type)', {
      hint: 'See the task request example in the README',
    });
  }
  return { definition: registry.require(ref.type), connection: ref.connection, settings: { ...(ref.settings ?? {}) }, asConfigured: false };
}

/** `override` wins; setting names compare case-insensitively, as the task's settings reader does. */
export function mergeSettings(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const overridden = new Set(Object.keys(override).map((k) => k.toLowerCase()));
  const kept = Object.entries(base).filter(([k]) => !overridden.has(k.toLowerCase()));
  return { ...Object.fromEntries(kept), ...override };
}
