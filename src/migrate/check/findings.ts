/** One thing `crdconv check` found, in plain words. */
export interface Finding {
  /** problem: something is wrong (exit status 1); warning: worth knowing; ok: verified. */
  readonly level: 'problem' | 'warning' | 'ok';
  readonly message: string;
}

export const problem = (message: string): Finding => ({ level: 'problem', message });
export const warning = (message: string): Finding => ({ level: 'warning', message });
export const ok = (message: string): Finding => ({ level: 'ok', message });

export const hasProblems = (findings: readonly Finding[]): boolean => findings.some((f) => f.level === 'problem');

const count = (findings: readonly Finding[], level: Finding['level']) =>
  findings.filter((f) => f.level === level).length;

/** One line per finding, then a tally. */
export function formatFindings(crd: string, findings: readonly Finding[]): string {
  const lines = findings.map((f) => `${f.level.padEnd(7)} ${f.message}`);
  const problems = count(findings, 'problem');
  const warnings = count(findings, 'warning');
  lines.push(
    problems === 0
      ? `${crd}: no problems${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`
      : `${crd}: ${problems} problem${problems === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
  );
  return `${lines.join('\n')}\n`;
}
