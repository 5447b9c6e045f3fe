// Plans a run, once, whatever asks for it (a dropped file, a task request, a route rule, a schedule,
// `dropwise task`): which task definition, its settings parsed, the connection it uses and the key of
// its watermarks. The runner only carries a plan out. The same planning checks every configured task
// and route rule when the config is loaded (checkConfiguredRuns), so a typo stops the start.
import { resolveConnection } from '../config/connections.js';
import type { AppConfig } from '../config/load.js';
import { DropwiseError } from '../errors.js';
import type { TaskRegistry } from './registry.js';
import { sameSettings, watermarkKey } from './task-key.js';
import type { TaskDefinition, TaskInputFile } from './types.js';

/** "Which task": a configured task name, or a task type with a connection and settings. */
export interface TaskRef {
  /** A configured task, used as the base. */
  name?: string;
  /** A task type. */
  type?: string;
  connection?: string;
  /** Settings that override the configured task's. */
  settings?: Record<string, unknown>;
}

/** A TaskRef made concrete against the config: the definition and the raw settings to give it. */
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

/** Everything a run needs, decided before it starts. */
export interface RunPlan {
  definition: TaskDefinition;
  /** The configured task this run comes from, if any. */
  taskName?: string;
  /** The settings as the task's parseSettings returned them. */
  settings: unknown;
  /** The connection the task uses; undefined when none of its kind is configured (the task says so when it asks). */
  connection: string | undefined;
  /** Identifies the run's watermarks (see task-key.ts). */
  taskKey: string;
}

export type PlannerConfig = Pick<AppConfig, 'tasks' | 'connections'>;

export function resolveTask(ref: TaskRef, config: Pick<AppConfig, 'tasks'>, registry: TaskRegistry): ResolvedTask {
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

/** A route rule's target: a configured task's name, else a task type. */
export function routeRuleRef(rule: AppConfig['routes'][number], config: Pick<AppConfig, 'tasks'>): TaskRef {
  const ref: TaskRef = config.tasks[rule.task] ? { name: rule.task } : { type: rule.task };
  if (rule.connection !== undefined) ref.connection = rule.connection;
  return ref;
}

export class RunPlanner {
  constructor(
    private readonly config: PlannerConfig,
    private readonly registry: TaskRegistry,
  ) {}

  resolve(ref: TaskRef): ResolvedTask {
    return resolveTask(ref, this.config, this.registry);
  }

  /**
   * Parses the settings (DW_SETTINGS_INVALID naming the setting), checks a named connection
   * (DW_CONNECTION_UNKNOWN) and derives the watermark key. `input` is given for file-driven runs.
   */
  plan(task: ResolvedTask, input?: Pick<TaskInputFile, 'name'>): RunPlan {
    const { definition } = task;
    const settings = definition.parseSettings(task.settings, input);
    const connection = this.connectionOf(task);
    const taskKey = watermarkKey({ ...task, type: definition.type }, connection);
    return { definition, settings, connection, taskKey, ...(task.taskName !== undefined ? { taskName: task.taskName } : {}) };
  }

  /** The connection asked for (DW_CONNECTION_UNKNOWN if there is none such), else the default of the task's kind if there is one. */
  connectionOf(task: ResolvedTask): string | undefined {
    if (task.connection !== undefined) return resolveConnection(this.config.connections, task.definition.connector, task.connection);
    try {
      return resolveConnection(this.config.connections, task.definition.connector);
    } catch {
      // No default: the task reports that itself when it asks for a client.
      return undefined;
    }
  }
}

/** Stands in for the dropped file when a file-driven run is planned at load time. */
const SAMPLE_INPUT = { name: 'input.xml' };

/**
 * Plans every configured task and every route rule's target as it would run: a configured task of an
 * import type as if a file had been dropped (it may not have a schedule: a scheduled run has no file),
 * any other without input; a route rule's target with a file. Throws DW_CONFIG_INVALID naming the
 * key, the value and the config file.
 */
export function checkConfiguredRuns(config: PlannerConfig & Pick<AppConfig, 'routes' | 'source'>, registry: TaskRegistry): void {
  const planner = new RunPlanner(config, registry);
  const where = config.source.file ? `in ${config.source.file}` : '(defaults and environment; no config file given)';
  const check = <T>(key: string, value: unknown, step: () => T): T => {
    try {
      return step();
    } catch (err) {
      if (!(err instanceof DropwiseError)) throw err;
      throw new DropwiseError('DW_CONFIG_INVALID', `Invalid configuration ${where}: ${key} ${JSON.stringify(value)}: ${err.message}`, {
        hint: `Fix ${key} and start again${err.hint ? `. ${err.hint}` : ''}`,
        cause: err,
      });
    }
  };
  for (const [name, task] of Object.entries(config.tasks)) {
    const resolved = check(`tasks.${name}.type`, task.type, () => planner.resolve({ name }));
    if (task.connection !== undefined) check(`tasks.${name}.connection`, task.connection, () => planner.connectionOf(resolved));
    const takesFiles = resolved.definition.inputRoot !== undefined;
    if (takesFiles && task.schedule !== undefined) {
      check(`tasks.${name}.schedule`, task.schedule, () => {
        throw new DropwiseError('DW_SETTINGS_INVALID', `${task.type} imports dropped <${resolved.definition.inputRoot}> files; a scheduled run has none`, {
          hint: 'Remove the schedule, or drop the files into the inbox',
        });
      });
    }
    check(`tasks.${name}.settings`, task.settings, () => planner.plan(resolved, takesFiles ? SAMPLE_INPUT : undefined));
  }
  config.routes.forEach((rule, i) => {
    const resolved = check(`routes[${i}].task`, rule.task, () => {
      if (config.tasks[rule.task] === undefined && registry.get(rule.task) === undefined) {
        throw new DropwiseError('DW_TASK_UNKNOWN', `There is no configured task or task type "${rule.task}"`, {
          hint: `Use a task under "tasks" (${Object.keys(config.tasks).join(', ') || 'none configured'}) or a task type (${registry.types().join(', ')})`,
        });
      }
      return planner.resolve(routeRuleRef(rule, config));
    });
    if (rule.connection !== undefined) check(`routes[${i}].connection`, rule.connection, () => planner.connectionOf(resolved));
    check(`routes[${i}].task`, rule.task, () => planner.plan(resolved, SAMPLE_INPUT));
  });
}
