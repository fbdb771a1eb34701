/**
 * What a keystroke in a value of the 10,000-line values file costs in process
 * (issue 11 item 9), against the bare parse of the same text, step by step as
 * the language server takes them: the parse built from the version before
 * (core/yaml/scalarEdit.ts; copied, or changed in place when the earlier model
 * is given up), the whole model (recognition, versions), the rules on it, and
 * the comment lines kept for the next comment edit.
 */
import { performance } from 'node:perf_hooks';
import { commentLines } from '../server/src/core/incremental';
import { analyzeText, buildContext, type PreparedDocument } from '../server/src/core/languageService';
import { parseYaml, reusingEarlierParse, type ParsedYaml } from '../server/src/core/yaml/yamlModel';
import { generateValues } from './generate';
import { median, percentile } from './stats';

export async function valueEditCost(runs: number): Promise<void> {
  const base = generateValues(10000);
  const lines = base.split('\n');
  // The bench's keystroke: 'x' at the end of line 7's value (`core: harbor.example.com`), typed on and on.
  const at = lines.slice(0, 8).join('\n').length;
  const uri = 'file:///bench/values.yaml';
  const samples = { parse: [] as number[], copied: [] as number[], inPlace: [] as number[], model: [] as number[], rules: [] as number[], comments: [] as number[], total: [] as number[] };
  let text = base;
  let earlier: ParsedYaml = (await buildContext({ uri, text })).context.yaml!;
  let reused = 0;
  const keystrokes = Math.max(20, runs * 2);
  for (let i = -3; i < keystrokes; i++) {
    const next = text.slice(0, at + i + 3) + 'x' + text.slice(at + i + 3);
    // Alternating with the bare parse of the same text, so that both see the same load.
    let start = performance.now();
    parseYaml(next);
    const parse = performance.now() - start;
    start = performance.now();
    const copied = reusingEarlierParse(earlier, () => parseYaml(next));
    const copy = performance.now() - start;
    // As the server does when nothing but the last analysis read the earlier model: it is given up and changed in place.
    const spare = reusingEarlierParse(earlier, () => parseYaml(text)).result; // a private copy of the version before
    start = performance.now();
    const inPlace = reusingEarlierParse(spare, () => parseYaml(next), { consume: true });
    const place = performance.now() - start;
    start = performance.now();
    const built = reusingEarlierParse(earlier, () => buildContext({ uri, text: next }), { consume: true });
    const prepared: PreparedDocument = await built.result;
    const model = performance.now() - start;
    start = performance.now();
    await analyzeText({ uri, text: next }, {}, prepared);
    const rules = performance.now() - start;
    start = performance.now();
    commentLines(prepared.context);
    const comments = performance.now() - start;
    text = next;
    earlier = prepared.context.yaml!;
    if (i < 0) continue; // warm-up
    if (copied.reused && inPlace.reused && built.reused) reused++;
    samples.parse.push(parse);
    samples.copied.push(copy);
    samples.inPlace.push(place);
    samples.model.push(model);
    samples.rules.push(rules);
    samples.comments.push(comments);
    samples.total.push(model + rules + comments);
  }
  const row = (name: string, values: number[]) => `| ${name} | ${median(values).toFixed(1)} ms | ${percentile(values, 95).toFixed(1)} ms | ${(median(values) / median(samples.parse)).toFixed(2)}x |`;
  console.log('');
  console.log(`A keystroke in a value of the 10,000-line values file, in process (${keystrokes} keystrokes; the earlier parse reused for ${reused} of them), against the bare parse of the same text`);
  console.log('| step | median | p95 | median / bare parse |');
  console.log('|---|---|---|---|');
  console.log(row('bare parse (parseYaml)', samples.parse));
  console.log(row('parse from the version before, copied', samples.copied));
  console.log(row('parse from the version before, changed in place', samples.inPlace));
  console.log(row('model from the version before, in place (buildContext)', samples.model));
  console.log(row('rules on that model (analyzeText)', samples.rules));
  console.log(row('comment lines for the next edit', samples.comments));
  console.log(row('the three together', samples.total));
}
