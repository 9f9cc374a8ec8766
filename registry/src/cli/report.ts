import type { CheckReport, Issue, ReportedChange } from '../checks/check.ts';

/** The report a team reads in its CI log: what failed and why, who uses what would break. */

const where = (issue: Issue) => (issue.subgraph === undefined ? '' : ` [${issue.subgraph}]`);

function usageLines(change: ReportedChange | undefined): string[] {
  if (!change?.usage) return [];
  return change.usage.operations.slice(0, 10).map((operation) => {
    const clients = operation.clients
      .map(
        (client) =>
          `${client.name ?? 'unknown client'}${client.version === null ? '' : ` ${client.version}`} (${client.count})`,
      )
      .join(', ');
    return `      - ${operation.name ?? 'anonymous operation'} ${operation.hash.slice(0, 12)}: ${operation.count} request(s) by ${clients}`;
  });
}

export function renderReport(report: CheckReport): string {
  const lines: string[] = [];
  const against =
    report.baseVersion === null ? 'an empty registry' : `supergraph version ${report.baseVersion}`;
  lines.push(
    `${report.ok ? '✔' : '✖'} ${report.subgraph}: check ${report.ok ? 'passed' : 'FAILED'} against ${against} — ${report.errors.length} error(s), ${report.warnings.length} warning(s), ${report.changes.length} change(s)`,
  );
  if (!report.composition.ok) {
    lines.push('', 'Composition errors:');
    for (const error of report.composition.errors) {
      const at = error.locations
        .map(
          (location) =>
            `${location.subgraph ?? error.subgraph ?? '?'}:${location.line}:${location.column}`,
        )
        .join(', ');
      lines.push(`  ✖ ${error.code} ${error.message}${at === '' ? '' : ` (at ${at})`}`);
    }
  }
  const others = report.errors.filter((issue) => issue.kind !== 'composition');
  if (others.length > 0) {
    lines.push('', 'Errors:');
    for (const issue of others)
      lines.push(`  ✖ ${issue.kind}${where(issue)}: ${issue.message}`, ...usageLines(issue.change));
  }
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const issue of report.warnings)
      lines.push(`  ⚠ ${issue.kind}${where(issue)}: ${issue.message}`);
  }
  if (report.changes.length > 0) {
    lines.push('', 'Changes:');
    for (const change of report.changes)
      lines.push(`  ${change.criticality.padEnd(9)} ${change.message}`);
  }
  return `${lines.join('\n')}\n`;
}
