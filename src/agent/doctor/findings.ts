// What `dropwise doctor` found: one line per check, with what to do when it is not ok, and the exit
// code they add up to (0 all good, 1 warnings, 2 failures).
export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** What was checked: `connection cw`, `folder inbox`. */
  subject: string;
  check: string;
  status: FindingStatus;
  detail: string;
  /** What to do about it (not for ok). */
  fix?: string;
}

export function doctorExitCode(findings: readonly Finding[]): number {
  if (findings.some((f) => f.status === 'fail')) return 2;
  return findings.some((f) => f.status === 'warn') ? 1 : 0;
}
