/**
 * `npm run bench` runs every suite, `npm run bench -- NAME [NAME...]` some. Each suite prints its
 * figures beside baselines measured in the same run, as ratios (absolute numbers drift between runs
 * on shared machines; ratios much less), and the goal for each. Results go to bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { meets, ratio, type Figure, type Suite } from './support/suite.js';
import { suites } from './suites/index.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

function format(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function printTable(figures: Figure[]) {
  const rows = [
    ['figure', 'value', 'baseline', 'baseline value', 'ratio', 'goal', 'met'],
    ...figures.map((figure) => {
      const met = meets(figure);
      return [
        figure.figure,
        `${format(figure.value)} ${figure.unit}`,
        figure.baseline,
        `${format(figure.baselineValue)} ${figure.unit}`,
        `${ratio(figure).toFixed(2)} x`,
        figure.goal ? `${figure.goal} x` : 'reported',
        met === null ? '' : met ? 'yes' : 'NO',
      ];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const [i, row] of rows.entries()) {
    say(`| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`);
    if (i === 0) say(`| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  }
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !suites.some((suite) => suite.name === name));
  if (unknown.length) {
    say(`unknown suite: ${unknown.join(', ')}; the suites are ${suites.map((suite) => suite.name).join(', ')}`);
    return 2;
  }
  const chosen: Suite[] = wanted.length ? suites.filter((suite) => wanted.includes(suite.name)) : suites;
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  say(`machine: ${machine}`);
  const results: Record<string, Figure[]> = {};
  for (const suite of chosen) {
    say();
    say(`## ${suite.name}`);
    say(suite.description);
    const started = Date.now();
    results[suite.name] = await suite.run((line) => say(`  ${line}`));
    say();
    printTable(results[suite.name]!);
    say(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const dir = join(projectRoot(import.meta.url), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    machine,
    suites: Object.fromEntries(
      Object.entries(results).map(([name, figures]) => [
        name,
        figures.map((figure) => ({ ...figure, ratio: ratio(figure), met: meets(figure) })),
      ]),
    ),
  };
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  say();
  say(`results written to bench/results/latest.json`);
  return 0;
}

process.exitCode = await main();
