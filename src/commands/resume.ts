// dropwise resume: asks the running agent, through its local API, to resume intake.
import type { Command } from 'commander';
import { connectRunningAgent, withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(program.command('resume').description('take files from the inbox again after dropwise pause')).action(action((options: CommonOptions) => resumeIntake(options)));
}

export async function resumeIntake(options: CommonOptions): Promise<number> {
  const client = await connectRunningAgent(options);
  await client.post('/api/resume');
  console.log(`Intake resumed: files in the inbox are taken again (agent pid ${client.agent.pid} at ${client.agent.api})`);
  return 0;
}
