/** The shell word lexer, the places shell code hides in other files, and recognition of Harbor clients. */
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { analyzeText, hoverAt } from '../../server/src/core/languageService';
import { recognize } from '../../server/src/core/recognize';
import { buildScriptModel } from '../../server/src/core/scripts/model';
import { jenkinsShellSources, makefileRecipes, yamlShellSources } from '../../server/src/core/scripts/sources';
import { lexShell, wordSources } from '../../server/src/core/shell/lexer';
import { parseYaml } from '../../server/src/core/yaml/yamlModel';

const words = (text: string, dialect: 'sh' | 'make' = 'sh') => lexShell(text, dialect).commands.map((c) => c.words.map((w) => w.value));

describe('shell lexer', () => {
  it('splits commands and removes quotes', () => {
    assert.deepEqual(words(`curl -H "Authorization: Bearer $T" 'a b' c\\ d; echo x && y | z`), [
      ['curl', '-H', 'Authorization: Bearer $T', 'a b', 'c d'],
      ['echo', 'x'],
      ['y'],
      ['z'],
    ]);
  });

  it("reads $'…' escapes, line continuations and comments", () => {
    assert.deepEqual(words("printf $'a\\tb' \\\n  next # curl -H 'Authorization: Bearer x'\n"), [['printf', 'a\tb', 'next']]);
    assert.equal(lexShell('echo # c\n').comments.length, 1);
  });

  it('skips here-document bodies, including <<- and quoted delimiters', () => {
    const lexed = lexShell("cat <<EOF\ncurl -H 'Authorization: Bearer x'\nEOF\ncat <<-'END'\n\tcurl x\n\tEND\nls\n");
    assert.deepEqual(lexed.commands.map((c) => c.words[0].value), ['cat', 'cat', 'ls']);
    assert.equal(lexed.heredocs.length, 2);
  });

  it('lexes command substitutions as commands of their own', () => {
    assert.deepEqual(words('T=$(curl -s "$U/service/token" | jq -r .token)'), [['curl', '-s', '$U/service/token'], ['jq', '-r', '.token'], ['T=$(curl -s "$U/service/token" | jq -r .token)']]);
  });

  it('records each character source offset and how each part was quoted', () => {
    const text = `x "a$B"'c'`;
    const word = lexShell(text).commands[0].words[1];
    assert.deepEqual(word.parts.map((p) => p.kind), ['double', 'param', 'single']);
    assert.deepEqual(wordSources(word).map((at) => text[at]).join(''), 'a$Bc');
  });

  it('maps escapes, $\'…\' decoding and quote removal back to the source characters', () => {
    const text = 'curl a\\ b"c\\"d"$\'\\te\'';
    const word = lexShell(text).commands[0].words[1];
    assert.equal(word.value, 'a bc"d\te');
    const sources = wordSources(word);
    assert.equal(sources.length, word.value.length);
    assert.deepEqual(sources.slice(0, 3), [5, 7, 8], 'a, the escaped space (not its backslash), b');
    assert.equal(text[sources[4]], '"', 'the escaped quote maps to the quote, not the backslash');
    assert.ok(sources.every((at, i) => i === 0 || at > sources[i - 1]), 'offsets increase');
  });

  it("in make's dialect, $$ is the shell's $ and $x is make's", () => {
    const [command] = lexShell('curl -u "robot$$p+ci" $(URL) $x', 'make').commands;
    assert.deepEqual(command.words.map((w) => w.parts.map((p) => p.kind)), [['literal'], ['literal'], ['double', 'param', 'double'], ['template'], ['template']]);
  });

  it('never hangs on unterminated quotes, substitutions or here-documents', () => {
    for (const text of ['echo "abc', "echo 'abc", 'echo $(ls', 'cat <<EOF\nx', 'echo ${x', 'echo `x', '$(((((', '\\']) lexShell(text);
  });
});

describe('shell code inside other files', () => {
  it('maps a YAML block scalar back to its exact offsets', () => {
    const text = 'steps:\n  - run: |\n      echo one\n      curl -u x https://h/api/v2.0/projects\n';
    const [source] = yamlShellSources(parseYaml(text), text);
    const url = lexShell(source.text).commands[1].words[3];
    assert.equal(text.slice(source.toFile(url.span.start), source.toFile(url.span.end - 1) + 1), 'https://h/api/v2.0/projects');
  });

  it('reads Makefile recipes only, and writes $ back as $$', () => {
    const source = makefileRecipes('X = 1\nall:\n\t@echo $$HOME\n')!;
    assert.equal(source.text, 'echo $$HOME\n');
    assert.equal(source.encode('"$A"'), '"$$A"');
  });

  it("reads Jenkins sh steps and escapes $ in Groovy's double-quoted strings", () => {
    const [single, gstring] = jenkinsShellSources(`sh 'curl a'\nsh """curl \\$B"""\n`);
    assert.equal(single.text, 'curl a');
    assert.equal(gstring.text, 'curl $B');
    assert.equal(gstring.encode('-u "$A"'), '-u "\\$A"');
  });
});

describe('Harbor API clients', () => {
  const kind = (text: string, name: string) => recognize(text, name).recognition;

  it('recognises scripts that call the API and nothing else', () => {
    assert.equal(kind('#!/bin/sh\ncurl -u "$U:$P" https://h/api/v2.0/projects\n', 'prune.sh').kind, 'harbor-client');
    assert.equal(kind('#!/bin/sh\ncurl https://example.com/api/items\n', 'other.sh').kind, 'not-harbor');
    assert.equal(kind('#!/bin/sh\necho "see /api/v2.0/projects"\n', 'doc.sh').kind, 'not-harbor');
    assert.equal(kind('docker login -u "$USER" -p "$P" h\n', 'login.sh').kind, 'not-harbor');
    assert.equal(kind("docker login -u 'robot$team+ci' --password-stdin h\n", 'login.sh').kind, 'harbor-client');
    // Grafana also has /api/search: the 1.x API only counts where the file names Harbor.
    assert.equal(kind('curl https://grafana/api/search\n', 'g.sh').kind, 'not-harbor');
    assert.equal(kind('HARBOR=h\ncurl https://$HARBOR/api/search\n', 'h.sh').kind, 'harbor-client');
  });

  it('knows which variables a request uses', () => {
    const model = buildScriptModel('H=https://harbor.example.com\nA="Authorization: Bearer $T"\ncurl -H "$A" "$H/api/v2.0/projects"\n', 'x.sh')!;
    assert.equal(model.requests.length, 1);
    assert.equal(model.requests[0].bearer?.via, 'A');
  });
});

describe('hover on a Harbor URL in a script', () => {
  it('names the operation and the authentication it takes', async () => {
    const text = 'curl -X DELETE -H "Authorization: Bearer $T" "https://h/api/v2.0/projects/p/repositories/r/artifacts/v1/tags/v1"\ncurl -H "Authorization: Bearer $T" https://h/v2/p/r/tags/list\n';
    const onApi = await hoverAt({ uri: 'x.sh', path: 'x.sh', text }, text.indexOf('/api/v2.0'));
    assert.match(onApi!.markdown, /DELETE \/api\/v2\.0\/projects\/p\/repositories\/r\/artifacts\/v1\/tags\/v1: delete a tag/);
    assert.match(onApi!.markdown, /Basic authentication/);
    assert.match(onApi!.markdown, /sends a \*\*Bearer\*\* token/);
    const onRegistry = await hoverAt({ uri: 'x.sh', path: 'x.sh', text }, text.indexOf('/v2/p'));
    assert.match(onRegistry!.markdown, /registry \(OCI distribution\) API/);
    assert.equal(await hoverAt({ uri: 'x.sh', path: 'x.sh', text }, 2), undefined);
  });
});

test('a URL in shell code that ends the file inside a quote keeps its span in the file (fuzz, long run of seed 11202612)', async () => {
  const inputs: [string, string][] = [
    ['.github/workflows/workflow.yml', "name: prune\non:\n  schedule:\n    -dcron: \"0 3 * * *\"\njobs:\n  prune:\n    runs-on: ubuntu-latest\n    env:\n      HARBOR: https://harbor.example.com\n    steps:\n      - name: Delete old tag\n        run: |\n          curl -sf -X DELETE \\\n            -H \"Authorization: Bearer ${{ secrets.HARBOR_TOKEN }}\" \\\n            \"$HARBOR/api/v2.0/projects/team/repositories/app/artifa"],
    ['Makefile', "HARBOR ?= https://harbor...\n.example.com\n\n.PHONY: prune\nprune:\n\t@curl -sf -X DELETE -u \"$$HARBOR_USER:$$HARBOR_PASSWORD\" \\\n\t  \"$(HARBOR)/api/v2.0/projects/team/repositories/app/ar"],
  ];
  for (const [name, text] of inputs) {
    const analysis = await analyzeText({ uri: name, path: name, text });
    assert.deepEqual(analysis.internalErrors, [], name);
    for (const finding of analysis.findings) assert.ok(finding.span.end <= text.length, `${name}: ${finding.ruleId} ends at ${finding.span.end} of ${text.length}`);
  }
});
