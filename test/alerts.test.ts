import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Alert rules as code (deploy/prometheus/): checked and unit-tested with Debian's promtool.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROMETHEUS = join(ROOT, 'deploy/prometheus');

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { cwd: PROMETHEUS, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (failure.code === 'ENOENT')
      throw new Error('These tests need promtool: apt-get install -y prometheus', { cause: error });
    throw new Error(
      `promtool ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}
const rules = (
  parse(readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((group) => group.rules);
const alertNames = [...new Set(rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])))];

describe('alert rules (deploy/prometheus/alerts.yml)', () => {
  it('pass promtool check rules and check config', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toContain('SUCCESS');
    expect(promtool('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
  });

  it('pass their unit tests (promtool test rules)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  it('cover what on-call needs: SLA, errors, breaker, retries, upstream down', () => {
    expect(alertNames.sort()).toEqual(
      ['BreakerOpen', 'ErrorRatioHigh', 'RetryStorm', 'SlaBreach', 'UpstreamDown'].sort(),
    );
  });

  it('test every alert firing', () => {
    const tests = parse(readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const fired = new Set(
      tests.tests.flatMap((test) =>
        test.alert_rule_test
          .filter((check) => check.exp_alerts.length > 0)
          .map((check) => check.alertname),
      ),
    );
    for (const name of alertNames) expect(fired, name).toContain(name);
  });

  it('link every alert to a runbook that exists', () => {
    for (const rule of rules.filter((candidate) => candidate.alert)) {
      const runbook = rule.annotations?.['runbook_url'];
      expect(runbook, rule.alert).toMatch(/^docs\/runbooks\/[\w-]+\.md$/);
      expect(existsSync(join(ROOT, runbook ?? '')), runbook).toBe(true);
    }
  });
});
