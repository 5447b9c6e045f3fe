// dropwise validate FILE: checks a file without calling any API and without moving it.
import type { Command } from 'commander';
import { withConfigOption, withRuntime, type CommonOptions, type Runtime } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('validate')
      .argument('<file>', 'the file to check (it is left where it is)')
      .description('check a file without calling any API; exit 0 valid, 1 some records have problems, 2 the file is invalid'),
  ).action(action((file: string, options: CommonOptions) => withRuntime(options, { quiet: true }, (rt) => validate(rt, file))));
}

export async function validate(rt: Runtime, file: string): Promise<number> {
  const { validateFile } = await import('../agent/validate.js');
  const result = await validateFile(file, rt.config, rt.registry);
  if (result.route) console.log(`${file}: ${result.route.definition.type} (${result.route.reason})`);
  if (result.error) console.log(`Invalid: ${result.error.code}: ${result.error.fullMessage}`);
  if (result.report) {
    console.log(`${result.report.records} records, ${result.report.problems.length} problems`);
    for (const p of result.report.problems) {
      const where = [p.record !== undefined ? `record ${p.record}` : 'file', p.field].filter(Boolean).join(', ');
      console.log(`  ${where}: ${p.code}: ${p.message}`);
    }
  }
  if (result.exitCode === 0) console.log('Valid.');
  return result.exitCode;
}
