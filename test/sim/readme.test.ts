/**
 * packages/sim/README.md stays true: its rule and coverage tables name every rule and point at tests
 * that exercise it, and its worked example, run for real, prints exactly the report it shows.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimulation, E1000Nic, formatReportText, isMiniportDefinition, RULE_IDS } from '@ddikit/sim';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}packages/sim/README.md`, 'utf8');

function section(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has no "## ${heading}"`).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .slice(1)
    .map((line) => line.slice(2, -2).split(' | '));
}

describe('README', () => {
  it('the rule table lists every rule of the registry', () => {
    const rows = tableRows(section('Rules'));
    expect(rows.map((r) => r[0]).sort()).toEqual([...RULE_IDS].sort());
  });

  it('the coverage table points every rule at test files that exercise it', () => {
    const rows = tableRows(section('Rule coverage'));
    expect(rows.map((r) => r[0]).sort()).toEqual([...RULE_IDS].sort());
    for (const [rule, files] of rows) {
      for (const file of files!.split(', ')) {
        expect(existsSync(`${root}${file}`), file).toBe(true);
        expect(readFileSync(`${root}${file}`, 'utf8'), `${file} has no case for ${rule}`).toContain(`'${rule}'`);
      }
    }
  });

  it('the worked example, run, prints the report text and JSON the README shows', async () => {
    const example = readme.split('```ts\n// my-miniport.mts\n')[1]!.split('```')[0]!;
    const dir = `${root}.tmp/sim-readme`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/my-miniport.ts`, example);
    const driver = ((await import(`${dir}/my-miniport.ts`)) as { default: unknown }).default;
    expect(isMiniportDefinition(driver)).toBe(true);
    const run = readme.split('```ts\n// run.mts')[1]!.split('```')[0]!;
    expect(run).toContain("createSimulation({ seed: 1, device: new E1000Nic(), mode: 'bugcheck' })");
    expect(run).toContain('sim.run(driver, { ticks: 100_000 })');
    const sim = createSimulation({ seed: 1, device: new E1000Nic(), mode: 'bugcheck' });
    const result = sim.run(driver as Parameters<typeof sim.run>[0], { ticks: 100_000 });
    const text = readme.split('Output (a real run):\n\n```text\n')[1]!.split('```')[0]!;
    expect(formatReportText(result.bugCheck!)).toBe(text);
    const json = readme.split('```json\n')[1]!.split('```')[0]!;
    expect(result.bugCheck).toEqual(JSON.parse(json));
    const collect = createSimulation({ seed: 1, device: new E1000Nic(), mode: 'collect' }).run(
      driver as Parameters<typeof sim.run>[0],
      { ticks: 100_000 },
    );
    const summary = collect.reports.map((r) => `\`${r.rule} ${r.subject} ×${r.occurrences}\``).join(' and ');
    expect(readme).toContain(summary);
  });
});
