// dropwise pause: asks the running agent, through its local API, to pause intake.
import type { Command } from 'commander';
import { connectRunningAgent, withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(program.command('pause').description('stop taking files from the inbox (the agent keeps running: files under way finish, schedules run); undo with resume')).action(action((options: CommonOptions) => pauseIntake(options)));
}

export async function pauseIntake(options: CommonOptions): Promise<number> {
  const client = await connectRunningAgent(options);
  await client.post('/api/pause');
  console.log(`Intake paused: files stay in the inbox until dropwise resume (agent pid ${client.agent.pid} at ${client.agent.api})`);
  return 0;
}
