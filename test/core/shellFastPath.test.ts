/**
 * The fast path for scripts and pipelines (issue 12's speed target) against the reference: the
 * skim must cut shell code only where the whole lex has nothing pending, and linting with only the
 * candidate commands lexed must give exactly the findings of lexing every line.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { generateShell, generateWorkflow } from '../../bench/scripts';
import { analyzeText, type AnalyzeOptions } from '../../server/src/core/languageService';
import { buildScriptModel, scriptLexing } from '../../server/src/core/scripts/model';
import { findRobotNameSites } from '../../server/src/core/scripts/robotNames';
import { seededRandom } from '../../server/src/core/secrets';
import { lexShell, lexShellStretches } from '../../server/src/core/shell/lexer';
import { pairsOf } from '../../server/src/core/scripts/sources';
import { parseYaml } from '../../server/src/core/yaml/yamlModel';
import { visit, type Pair } from 'yaml';
import { skimLogicalLines } from '../../server/src/core/shell/skim';
import { Variables, type Assignment } from '../../server/src/core/shell/variables';
import { prng } from '../fuzz/fuzzer';
import { filesUnder, fixtureOptions, fixturesRoot, repoRoot, sharedRoot } from '../helpers/fixtures';

interface Input {
  name: string;
  text: string;
  options: Partial<AnalyzeOptions>;
}

const decoder = new TextDecoder();

function fixtureInputs(): Input[] {
  return filesUnder(fixturesRoot, (path) => !path.endsWith('.snap')).map((path) => {
    const bytes = readFileSync(path);
    return { name: relative(repoRoot, path), text: decoder.decode(bytes), options: fixtureOptions(bytes) };
  });
}

function corpusInputs(): Input[] {
  const corpus = join(sharedRoot, 'corpus', 'real-world');
  if (!existsSync(corpus)) return [];
  return filesUnder(corpus).map((path) => ({ name: relative(corpus, path), text: decoder.decode(readFileSync(path)), options: {} }));
}

function generatedInputs(): Input[] {
  const inputs: Input[] = [];
  for (const lines of [40, 400, 3000]) {
    inputs.push({ name: `cleanup-${lines}.sh`, text: generateShell(lines), options: {} });
    inputs.push({ name: `.github/workflows/prune-${lines}.yml`, text: generateWorkflow(lines), options: {} });
  }
  return inputs;
}

/** What breaks a shell reading: quotes, escapes, here-documents, substitutions, comments, redirections, and the words rules look for. */
const INSERTS = ["'", '"', '\\', '\\\n', '\n', '$', "$'", "$'a\\'b'", '"a\\"b"', "'a\\'", '$(', ')', '`', '#', ' #', '<<EOF\n', '<<-"EOF"\n', '\nEOF\n', '\tEOF\n', "cat <<-EOF\n\t'\n\tEOF\n", '>', ' 2>', '<<<', '|', ';', '&&', '{', '}', '${', '=', 'X=', 'curl ', 'c\\url ', 'wget ', 'docker login -p x ', 'robot$team+ci', 'ro"bot"$x', '"robot$x"', 'Authorization: Bearer $T', '/api/v2.0/projects/p/repositories/a/b', ' -u ', '${{ x }}', '\r\n'];

function mutate(text: string, random: () => number, count: number): string {
  let out = text;
  for (let i = 0; i < count; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const choice = random();
    if (choice < 0.6) out = out.slice(0, at) + INSERTS[Math.floor(random() * INSERTS.length)] + out.slice(at);
    else if (choice < 0.85) out = out.slice(0, at) + out.slice(Math.min(out.length, at + 1 + Math.floor(random() * 8)));
    else {
      // Copy a line elsewhere: a call next to a here-document or an open quote.
      const from = Math.floor(random() * out.length);
      const start = out.lastIndexOf('\n', from) + 1;
      const end = out.indexOf('\n', from);
      out = out.slice(0, at) + out.slice(start, end < 0 ? out.length : end + 1) + out.slice(at);
    }
  }
  return out;
}

async function analyzeWith(lexing: 'fast' | 'full', input: Input) {
  const before = scriptLexing.mode;
  scriptLexing.mode = lexing;
  try {
    // Generated secrets in other rules' fixes: the same seed for both runs.
    return await analyzeText({ uri: input.name, text: input.text }, { ...input.options, random: seededRandom(7) });
  } finally {
    scriptLexing.mode = before;
  }
}

async function assertSameFindings(input: Input): Promise<void> {
  const fast = await analyzeWith('fast', input);
  const full = await analyzeWith('full', input);
  assert.deepEqual(fast.recognition, full.recognition, `${input.name}: recognition`);
  assert.deepEqual(fast.findings, full.findings, `${input.name}: findings`);
  assert.deepEqual(fast.internalErrors, full.internalErrors, `${input.name}: internal errors`);
}

/** Lexing every stretch between the skim's cuts on its own gives the whole lex's commands. */
function assertSkimCutsCleanly(name: string, text: string): void {
  const cuts = skimLogicalLines(text);
  if (!cuts) return;
  assert.equal(cuts[0], 0);
  assert.equal(cuts[cuts.length - 1], text.length, `${name}: the cuts cover the text`);
  const stretches = cuts.slice(1).map((end, i) => [cuts[i], end] as const);
  const pieces = lexShellStretches(text, 'sh', stretches);
  assert.ok(pieces, `${name}: a stretch did not end where the skim cut`);
  assert.deepEqual(pieces, lexShell(text).commands, `${name}: commands`);
}

const looksLikeShell = (input: Input) => /\.(sh|bash|mk|Jenkinsfile|groovy)$|(^|\/)(Makefile|Jenkinsfile)$|\.ya?ml$/.test(input.name) || input.text.startsWith('#!');

describe('scripts fast path', () => {
  const fixtures = fixtureInputs();
  const corpus = corpusInputs();
  const generated = generatedInputs();

  it('finds what the whole lex finds in every fixture', async () => {
    assert.ok(fixtures.length > 100);
    for (const input of fixtures) await assertSameFindings(input);
  });

  it('finds what the whole lex finds in the shared corpus', async (t) => {
    if (corpus.length === 0) return t.skip('../shared/corpus is not here');
    for (const input of corpus) await assertSameFindings(input);
  });

  it('finds what the whole lex finds in the bench scripts at several sizes', async () => {
    for (const input of generated) {
      await assertSameFindings(input);
      const findings = (await analyzeText({ uri: input.name, text: input.text })).findings;
      assert.ok(findings.length > 0, `${input.name} has findings to compare`);
    }
  });

  it('cuts shell code only where nothing is pending', () => {
    for (const input of [...fixtures, ...corpus, ...generated].filter(looksLikeShell)) assertSkimCutsCleanly(input.name, input.text);
  });

  it('finds what the whole lex finds after random edits that break quoting, here-documents and substitutions', async () => {
    const random = prng(12);
    const bases = [...fixtures.filter(looksLikeShell), ...corpus.filter(looksLikeShell), { name: 'cleanup.sh', text: generateShell(60), options: {} }, { name: '.github/workflows/prune.yml', text: generateWorkflow(60), options: {} }];
    let compared = 0;
    for (const base of bases) {
      for (let round = 0; round < 12; round++) {
        const input = { ...base, text: mutate(base.text, random, 1 + Math.floor(random() * 6)) };
        assertSkimCutsCleanly(`${base.name} (mutation ${round})`, input.text);
        await assertSameFindings(input);
        compared++;
      }
    }
    assert.ok(compared > 500);
  });

  it('lexes only the commands that can matter, and every command for another robot-name prefix', () => {
    const text = '#!/bin/sh\n# header\necho one\nfor i in 1 2; do echo "$i"; done\nTOKEN=x\ncurl -H "Authorization: Bearer $TOKEN" https://h/api/v2.0/projects\ncat <<EOF\ncurl in a here-document\nEOF\necho "bot$team"\n';
    const model = buildScriptModel(text, 'x.sh')!;
    assert.deepEqual(
      model.shell[0].lexed.commands.map((command) => command.words[0].value),
      ['TOKEN=x', 'curl', 'cat'],
    );
    const full = buildScriptModel(text, 'x.sh', undefined, { lexing: 'full' })!;
    assert.deepEqual(full.shell[0].lexed.commands.map((command) => command.words[0].value), ['echo', 'for', 'do', 'done', 'TOKEN=x', 'curl', 'cat', 'echo']);
    assert.deepEqual(full.requests.map((r) => r.url.written), model.requests.map((r) => r.url.written));
    // `bot$team` is no candidate for the default prefix: a `bot$` prefix reads every command again.
    assert.deepEqual(findRobotNameSites(model, 'robot$'), []);
    assert.deepEqual(findRobotNameSites(model, 'bot$').map((site) => text.slice(site.span.start, site.span.end)), ['bot$team']);
    assert.deepEqual(findRobotNameSites(model, 'bot$'), findRobotNameSites(full, 'bot$'));
  });

  it('picks the assignment in effect the same way for long lists of one name (searched, not read in full)', () => {
    const random = prng(99);
    // The reading every use made before: the last assignment at or before the offset, else the first one made.
    const linear = (list: Assignment[], at: number) => {
      let best: Assignment | undefined;
      for (const assignment of list) if (assignment.at <= at && (!best || assignment.at > best.at)) best = assignment;
      return (best ?? list[0]).value;
    };
    for (let round = 0; round < 200; round++) {
      const variables = new Variables();
      const list: Assignment[] = [];
      const count = 1 + Math.floor(random() * 40);
      for (let i = 0; i < count; i++) {
        // Offsets out of order and repeated, as command substitutions and CI `env:` maps (offset 0) give them.
        const assignment = { name: 'repo', value: `v${i}`, at: Math.floor(random() * 30) };
        list.push(assignment);
        variables.add(assignment);
        if (random() < 0.3) for (let at = -1; at <= 31; at++) assert.equal(variables.valueAt('repo', at), linear(list, at), `round ${round}, ${i + 1} assignments, at ${at}`);
      }
      for (let at = -1; at <= 31; at++) assert.equal(variables.valueAt('repo', at), linear(list, at), `round ${round}, at ${at}`);
    }
  });

  it('walks the pairs of YAML in the order visit() meets them', () => {
    let walked = 0;
    for (const input of [...fixtures, ...corpus, ...generated].filter((input) => /\.ya?ml$/.test(input.name))) {
      const yaml = parseYaml(input.text);
      const visited: Pair[] = [];
      for (const doc of yaml.documents) visit(doc, { Pair: (_, pair) => void visited.push(pair) });
      const pairs = pairsOf(yaml);
      assert.equal(pairs.length, visited.length, input.name);
      assert.ok(pairs.every((pair, i) => pair === visited[i]), input.name);
      walked += pairs.length;
    }
    assert.ok(walked > 1000);
  });
});
