// dropwise doctor [--config FILE] [--notify-test]: checks the connections, folders and notification
// channels the config names and prints a table of what is wrong and what to do; exit 0 all good,
// 1 warnings, 2 failures.
import type { Command } from 'commander';
import { withConfigOption, type CommonOptions } from './runtime.js';
import { action } from './verb-action.js';

export function register(program: Command): void {
  withConfigOption(
    program
      .command('doctor')
      .description('check the connections (reachable, keys, API version, read rights), the folders and the notification channels; exit 0 all good, 1 warnings, 2 failures')
      .option('--notify-test', 'send a test message through each notification channel and report its answer'),
  ).action(action((options: DoctorCliOptions) => doctor(options)));
}

export interface DoctorCliOptions extends CommonOptions {
  notifyTest?: boolean;
}

const LABEL = { ok: 'ok', warn: 'WARN', fail: 'FAIL' } as const;

export async function doctor(options: DoctorCliOptions, platform: NodeJS.Platform = process.platform): Promise<number> {
  const [{ loadConfig }, { silentLogger }, { runDoctor, doctorExitCode }, { redactor }] = await Promise.all([
    import('../config/load.js'),
    import('../log.js'),
    import('../agent/doctor/index.js'),
    import('../secrets.js'),
  ]);
  const config = loadConfig(options.config !== undefined ? { file: options.config } : {});
  redactor.add(...config.secrets);
  const findings = await runDoctor(config, silentLogger(), { notifyTest: options.notifyTest === true });
  if (platform === 'win32') {
    const { driveLetterWarnings, fixedLocalDrives } = await import('./service-windows.js');
    for (const warning of driveLetterWarnings(platform, config.folders, fixedLocalDrives())) {
      findings.push({ subject: 'folders', check: 'under a service', status: 'warn', detail: warning, fix: 'Use the UNC path (\\\\server\\share\\...) in the config' });
    }
  }
  const widths = [6, Math.max(...findings.map((f) => f.subject.length), 4), Math.max(...findings.map((f) => f.check.length), 5)];
  const row = (cells: string[]): string => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i] as number) : c)).join('  ');
  console.log(row(['', 'WHAT', 'CHECK', 'RESULT']));
  for (const f of findings) {
    console.log(redactor.redactString(row([LABEL[f.status], f.subject, f.check, f.detail])));
    if (f.fix !== undefined && f.status !== 'ok') console.log(redactor.redactString(`${' '.repeat(widths[0] as number)}  → ${f.fix}`));
  }
  const code = doctorExitCode(findings);
  const count = (s: string): number => findings.filter((f) => f.status === s).length;
  console.log(code === 0 ? 'All good.' : `${count('fail')} failed, ${count('warn')} warnings.`);
  return code;
}
