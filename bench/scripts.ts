/**
 * Scripts and pipelines (issue 12): linting a 10,000-line shell script and a 5,000-line GitHub
 * Actions workflow, with and without Harbor API calls, against one regular-expression pass over
 * the same text, measured in the same run.
 */
import { Lexer as YamlLexer } from 'yaml';
import { analyzeText } from '../server/src/core/languageService';
import { parseYaml } from '../server/src/core/yaml/yamlModel';

/**
 * A cleanup script as teams write them: variables, functions, here-docs, comments, and a Harbor API call in most blocks.
 * Written for another registry (`harbor: false`: the same shape with no Harbor API, robot or Harbor word), it is what a
 * CI run over a repository meets most: a script that must cost one scan and show nothing.
 */
export function generateShell(lines: number, harbor = true): string {
  const out = ['#!/bin/bash', 'set -euo pipefail', 'HARBOR=https://harbor.example.com', "ROBOT_NAME='robot$team+ci'"];
  for (let i = 0; out.length < lines; i++) {
    const block = [
      `# block ${i}: prune old tags of app${i}`,
      `prune_${i}() {`,
      `  local repo="app${i}"`,
      `  local tag="$1"`,
      i % 3 === 0
        ? `  curl -sf -X DELETE -H "Authorization: Bearer $TOKEN" "$HARBOR/api/v2.0/projects/team/repositories/$repo/artifacts/$tag/tags/$tag"`
        : `  curl -sf -X DELETE -u "$ROBOT_NAME:$ROBOT_SECRET" "$HARBOR/api/v2.0/projects/team/repositories/$repo/artifacts/$tag"`,
      `  cat <<EOF`,
      `usage: prune_${i} TAG (sends Authorization: Bearer to /api/v2.0 in the old version)`,
      `EOF`,
      `}`,
      `for t in v${i}.0 v${i}.1; do prune_${i} "$t" || echo "failed: $t" >&2; done`,
      '',
    ];
    out.push(...block);
  }
  return withoutHarbor(out.slice(0, lines).join('\n') + '\n', harbor);
}

/** A workflow with many jobs whose steps call Harbor's API and log in with a robot account (`harbor: false`: another registry's). */
export function generateWorkflow(lines: number, harbor = true): string {
  const out = ['name: registry-maintenance', 'on:', '  schedule:', '    - cron: "0 3 * * *"', 'jobs:'];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `  prune-${i}:`,
      '    runs-on: ubuntu-latest',
      '    env:',
      '      HARBOR: https://harbor.example.com',
      '    steps:',
      '      - uses: actions/checkout@v4',
      `      - name: Log in ${i}`,
      '        run: echo "$ROBOT_SECRET" | docker login harbor.example.com -u \'robot$team+ci\' --password-stdin',
      `      - name: Delete old tag ${i}`,
      '        run: |',
      '          curl -sf -X DELETE \\',
      i % 2 === 0 ? '            -H "Authorization: Bearer ${{ secrets.HARBOR_TOKEN }}" \\' : '            -u "${{ secrets.ROBOT_NAME }}:${{ secrets.ROBOT_SECRET }}" \\',
      `            "$HARBOR/api/v2.0/projects/team/repositories/app${i}/artifacts/old/tags/old"`,
    );
  }
  return withoutHarbor(out.slice(0, lines).join('\n') + '\n', harbor);
}

/** The same text calling another registry's API: no Harbor API path, robot account or Harbor word left. */
function withoutHarbor(text: string, harbor: boolean): string {
  return harbor ? text : text.replace(/\/api\/v2\.0\/?/g, '/v1/').replace(/robot\$/g, 'ci-').replace(/robot/gi, 'DEPLOY').replace(/harbor/gi, 'registry');
}

/** The baseline: one pass of a regular expression that finds every Harbor API URL and auth header in the text. */
const ONE_PASS = /\/api\/v2\.0\/[^\s"']*|Authorization: *Bearer|-u +["'][^"']*["']/g;
function regexPass(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(ONE_PASS)) count++;
  return count;
}

export async function scriptBenchmarks(measure: (fn: () => unknown, runs: number) => Promise<number>, runs: number): Promise<void> {
  const cases = [
    { name: 'cleanup.sh, 10,000 lines', uri: 'cleanup.sh', text: generateShell(10000) },
    { name: '.github/workflows/prune.yml, 5,000 lines', uri: '.github/workflows/prune.yml', text: generateWorkflow(5000) },
    { name: 'the same script for another registry (no Harbor call)', uri: 'cleanup.sh', text: generateShell(10000, false) },
    { name: 'the same workflow for another registry (no Harbor call)', uri: '.github/workflows/prune.yml', text: generateWorkflow(5000, false) },
  ];
  console.log('');
  // Issue 12: "every other script costs one cheap scan". A script or workflow that calls no Harbor API (most of
  // a repository) is scanned and dropped: target within 3x of the regex pass. One that calls Harbor is lexed
  // and checked in full, shown for scale (its floor is the yaml parse for a workflow).
  console.log('Scripts and pipelines: full lint against one regular-expression pass over the text (target: within 3x for the scan of a file that calls no Harbor API)');
  console.log('| input | size | one regex pass | full lint | lint / regex | findings |');
  console.log('|---|---|---|---|---|---|');
  // The rows that call Harbor run first, so the scan's regular expressions have already run on other files,
  // as in a CI run over a repository (why that matters: wholeTextScan in server/src/core/text.ts).
  // A file that calls no Harbor API is passed over in well under a millisecond: both sides are timed in
  // batches of calls long enough for the clock (the same batch size for both), per call, after 200 calls
  // that warm the JIT as a CI run over a repository's hundreds of files does.
  const batched = async (fn: () => unknown, size: number) => {
    for (let i = 0; i < 200; i++) await fn();
    return (await measure(async () => {
      for (let i = 0; i < size; i++) await fn();
    }, runs)) / size;
  };
  for (const c of cases) {
    const once = await measure(() => analyzeText({ uri: c.uri, text: c.text }), 3);
    const size = Math.max(1, Math.ceil(5 / Math.max(once, 0.01)));
    const regexMs = await batched(() => regexPass(c.text), size);
    const lintMs = await batched(() => analyzeText({ uri: c.uri, text: c.text }), size);
    const findings = (await analyzeText({ uri: c.uri, text: c.text })).findings.length;
    console.log(`| ${c.name} | ${(c.text.length / 1024).toFixed(0)} KiB | ${regexMs.toFixed(2)} ms | ${lintMs.toFixed(lintMs < 1 ? 2 : 1)} ms | ${(lintMs / regexMs).toFixed(1)}x | ${findings} |`);
    if (c.uri.endsWith('.yml') && findings > 0) {
      // The floor for YAML: a client's yaml-syntax finding needs the whole parse, and the bare lexer alone is far above 3x.
      const tokensMs = await measure(() => [...new YamlLexer().lex(c.text)].length, runs);
      const parseMs = await measure(() => parseYaml(c.text), runs);
      console.log(`| (${c.uri}: bare yaml lexer / yaml parse) | | | ${tokensMs.toFixed(1)} / ${parseMs.toFixed(1)} ms | ${(tokensMs / regexMs).toFixed(1)}x / ${(parseMs / regexMs).toFixed(1)}x | |`);
    }
  }
}
