/**
 * Lint time against the bare parse of the same text, measured in the same run,
 * so the figures are ratios that hold on any machine: `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { analyzeText, completionAt } from '../server/src/core/languageService';
import { parseNginx } from '../server/src/core/nginx/parser';
import { parseYaml } from '../server/src/core/yaml/yamlModel';
import { generateNginx, generateValues } from './generate';
import { keystrokeLatency } from './lsp';
import { scriptBenchmarks } from './scripts';
import { startupBenchmarks } from './startup';

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

  await nginxScaling(runs);
  await editorLatency();
  await keyBenchmarks(runs);
  await scriptBenchmarks(measure, runs);
  startupBenchmarks(runs);
}

/** nginx lint time per 1,000 lines as the file grows: linear code keeps the ratio near 1 (target: 40k within 1.5x of 1k). */
async function nginxScaling(runs: number): Promise<void> {
  const sizes = [1000, 5000, 20000, 40000];
  const perThousand: number[] = [];
  console.log('');
  console.log('nginx.conf lint time per 1,000 lines (target: 40,000 lines within 1.5x of 1,000 lines)');
  console.log('| lines | full lint | per 1,000 lines | vs 1,000 lines |');
  console.log('|---|---|---|---|');
  for (const lines of sizes) {
    const text = generateNginx(lines);
    // Small inputs are timed in batches so timer resolution and GC pauses average out.
    const batch = Math.max(1, Math.round(20000 / lines));
    const ms = (await measure(async () => { for (let i = 0; i < batch; i++) await analyzeText({ uri: 'nginx.conf', text }); }, Math.max(5, Math.round(runs / 2)))) / batch;
    perThousand.push((ms / lines) * 1000);
    console.log(`| ${lines.toLocaleString('en')} | ${ms.toFixed(1)} ms | ${perThousand[perThousand.length - 1].toFixed(2)} ms | ${(perThousand[perThousand.length - 1] / perThousand[0]).toFixed(2)}x |`);
  }
}

/** Keystroke to pulled diagnostics through `harbor-audit lsp --stdio` (target: p95 <= 150 ms on a 20,000-line nginx.conf). */
async function editorLatency(): Promise<void> {
  const keystrokes = Number(process.env.BENCH_KEYSTROKES ?? 40);
  console.log('');
  console.log(`Keystroke to pulled diagnostics over stdio, ${keystrokes} keystrokes (target: nginx.conf p95 <= 150 ms)`);
  console.log('| document | p50 | p95 | diagnostics |');
  console.log('|---|---|---|---|');
  const nginx = await keystrokeLatency('nginx.conf', generateNginx(20000), keystrokes, 1);
  console.log(`| nginx.conf, 20,000 lines | ${nginx.p50.toFixed(0)} ms | ${nginx.p95.toFixed(0)} ms | ${nginx.diagnostics} |`);
}

/** What unknown-key adds to a lint, and completion latency against the bare parse of the same file. */
async function keyBenchmarks(runs: number): Promise<void> {
  const values = generateValues(10000);
  const off = { rules: { 'unknown-key': 'off' as const }, ignore: [] };
  const without = await measure(() => analyzeText({ uri: 'values.yaml', text: values }, { settings: off }), runs);
  const withRule = await measure(() => analyzeText({ uri: 'values.yaml', text: values }), runs);
  console.log('');
  console.log(`unknown-key on the 10,000-line values file: lint ${withRule.toFixed(1)} ms with it, ${without.toFixed(1)} ms without: +${(((withRule - without) / without) * 100).toFixed(1)} % (target ≤ 15 %).`);

  const small = generateValues(1000);
  const lines = small.split('\n');
  // Cursor positions: at the end of each of 50 lines spread over the file, and on a new line at the top level.
  const offsets: number[] = [];
  for (let i = 0; i < 50; i++) {
    const line = Math.floor((i * lines.length) / 50);
    offsets.push(lines.slice(0, line + 1).join('\n').length);
  }
  const parseMs = await measure(() => parseYaml(small), runs);
  const samples: number[] = [];
  for (let round = 0; round < Math.max(2, Math.ceil(runs / 5)); round++) {
    for (const offset of offsets) {
      const start = performance.now();
      await completionAt({ uri: 'values.yaml', text: small }, offset);
      samples.push(performance.now() - start);
    }
  }
  samples.sort((a, b) => a - b);
  const p95 = samples[Math.floor(samples.length * 0.95)];
  console.log(`completion on the 1,000-line values file: p95 ${p95.toFixed(1)} ms over ${samples.length} requests (target ≤ 20 ms); bare parse ${parseMs.toFixed(1)} ms, p95 / parse ${(p95 / parseMs).toFixed(2)}x.`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
