// dropwise pause: asks the running agent, through its local API, to pause intake.
import type { Command } from 'commander';
import { withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(program.command('pause').description('stop taking files from the inbox (the agent keeps running: files under way finish, schedules run); undo with resume')).action(action((options: CommonOptions) => pauseIntake(options)));
}

export async function pauseIntake(options: CommonOptions): Promise<number> {
  // The connections' secrets are not needed to reach the agent; only api.token is.
  const [{ AgentApiClient }, { loadConfig }] = await Promise.all([import('../api/client.js'), import('../config/load.js')]);
  const config = loadConfig({ ...(options.config !== undefined ? { file: options.config } : {}), resolveSecrets: false });
  const client = await AgentApiClient.connect(config);
  await client.post('/api/pause');
  console.log(`Intake paused: files stay in the inbox until dropwise resume (agent pid ${client.agent.pid} at ${client.agent.api})`);
  return 0;
}
