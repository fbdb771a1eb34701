/**
 * Lint time against the bare parse of the same text, measured in the same run,
 * so the figures are ratios that hold on any machine: `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { analyzeText } from '../server/src/core/languageService';
import { parseNginx } from '../server/src/core/nginx/parser';
import { parseYaml } from '../server/src/core/yaml/yamlModel';
import { generateNginx, generateValues } from './generate';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(fn: () => unknown | Promise<unknown>, runs: number): Promise<number> {
  for (let i = 0; i < 3; i++) await fn(); // warm up the JIT
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

interface Case {
  name: string;
  uri: string;
  text: string;
  parse: (text: string) => unknown;
}

async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const cases: Case[] = [
    { name: 'values.yaml, 10,000 lines', uri: 'values.yaml', text: generateValues(10000), parse: parseYaml },
    { name: 'nginx.conf, 20,000 lines', uri: 'nginx.conf', text: generateNginx(20000), parse: (text) => parseNginx(text, 'nginx.conf') },
  ];
  const rows: string[] = [];
  for (const c of cases) {
    const parseMs = await measure(() => c.parse(c.text), runs);
    const lintMs = await measure(() => analyzeText({ uri: c.uri, text: c.text }), runs);
    const findings = (await analyzeText({ uri: c.uri, text: c.text })).findings.length;
    rows.push(`| ${c.name} | ${(c.text.length / 1024).toFixed(0)} KiB | ${parseMs.toFixed(1)} ms | ${lintMs.toFixed(1)} ms | ${(lintMs / parseMs).toFixed(2)}x | ${findings} |`);
  }
  console.log(`Median of ${runs} runs (after 3 warm-ups), node ${process.version}.`);
  console.log('| input | size | bare parse | full lint | lint / parse | findings |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
