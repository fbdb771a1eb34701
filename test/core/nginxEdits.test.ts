/**
 * Re-checking only the edited server of an nginx.conf (issue 11 item 8): after
 * every one of a chain of seeded random edits (inside arguments, directives
 * added and removed, braces, comments, includes, upstreams, anywhere in the
 * file), the analysis that keeps the other servers' findings equals a full
 * analysis of the same text: findings with their spans, messages, related
 * information and fixes, dependencies and unreadable paths. Over the nginx
 * fixtures, the examples, a generated config and the real-world corpus when
 * it is there.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { generateNginx } from '../../bench/generate';
import { analyzeText, buildContext, type AnalyzeOptions, type DocumentInput, type RuleShortcut } from '../../server/src/core/languageService';
import { nginxEditBase, nginxEditShortcut, sameDiagnostics, type NginxEditBase } from '../../server/src/core/nginxEdits';
import { ruleCatalog } from '../../server/src/core/rules/registry';
import { seededRandom } from '../../server/src/core/secrets';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { prng } from '../fuzz/fuzzer';
import { filesUnder, fixturesRoot, repoRoot, sharedRoot } from '../helpers/fixtures';

const files = createNodeFileAccess();
const options = (): AnalyzeOptions => ({ files, random: seededRandom(5), searchRoots: [] });
const SETTINGS = 'defaults';

const DIRECTIVES = [
  'proxy_set_header Host $host;',
  'proxy_set_header X-Forwarded-Proto $scheme;',
  'proxy_set_header X-Forwarded-Proto http;',
  'proxy_set_header Authorization "Bearer abc";',
  'client_max_body_size 0;',
  'client_max_body_size 5m;',
  'proxy_request_buffering off;',
  'proxy_http_version 1.1;',
  'proxy_read_timeout 60;',
  'proxy_buffering on;',
  'chunked_transfer_encoding off;',
  'auth_basic "closed";',
  'listen 8443 ssl;',
  'server_name other.example.com;',
  'location /v2/ { proxy_pass http://registry:5000; }',
  'location /harbor/ { proxy_pass http://harbor/; }',
  'location / { return 404; }',
  'include missing-snippet.conf;',
  'upstream extra { server harbor-core:8080; }',
  // Read by other servers through file-wide indexes: their proxy_pass targets, an Authorization value.
  'upstream harbor1 { server registry:5000; }',
  'upstream harbor { server registry:5000; }',
  'map $http_x $bearer { default "Bearer x"; }',
  'proxy_set_header Authorization $bearer;',
  '# a comment',
  '# harbor-audit-disable-next-line',
];

type Edit = (text: string, blocks: { start: number; end: number }[], random: () => number) => string;

const pick = <T>(list: readonly T[], random: () => number): T => list[Math.floor(random() * list.length)];
/** An offset inside a server block (after its `{`, before its `}`), or anywhere when there is none. */
function inside(text: string, blocks: { start: number; end: number }[], random: () => number): number {
  if (blocks.length === 0) return Math.floor(random() * (text.length + 1));
  const block = pick(blocks, random);
  return block.start + 1 + Math.floor(random() * Math.max(1, block.end - block.start - 1));
}
const insertAt = (text: string, at: number, piece: string) => text.slice(0, at) + piece + text.slice(at);

const EDITS: Edit[] = [
  // Typing into an argument: a character before a `;` in a server.
  (text, blocks, random) => {
    const at = inside(text, blocks, random);
    const semicolon = text.indexOf(';', at);
    return semicolon < 0 ? insertAt(text, at, 'x') : insertAt(text, semicolon, pick(['x', '0', '/', ':8443', '.', '$host', ' '], random));
  },
  // Deleting a character before a `;`.
  (text, blocks, random) => {
    const semicolon = text.indexOf(';', inside(text, blocks, random));
    return semicolon > 0 ? text.slice(0, semicolon - 1) + text.slice(semicolon) : text;
  },
  // A directive (or block, include, upstream, map, comment) added on a new line.
  (text, blocks, random) => {
    const at = text.indexOf('\n', inside(text, blocks, random));
    return at < 0 ? text + '\n' + pick(DIRECTIVES, random) : insertAt(text, at + 1, `        ${pick(DIRECTIVES, random)}\n`);
  },
  // A line removed.
  (text, blocks, random) => {
    const at = text.indexOf('\n', inside(text, blocks, random));
    const next = at < 0 ? -1 : text.indexOf('\n', at + 1);
    return next < 0 ? text : text.slice(0, at + 1) + text.slice(next + 1);
  },
  // A brace, a `;`, a quote or a comment mark at some place in a server.
  (text, blocks, random) => insertAt(text, inside(text, blocks, random), pick(['{', '}', ';', '"', '#', ' # note'], random)),
  // Anywhere in the file.
  (text, _blocks, random) => insertAt(text, Math.floor(random() * (text.length + 1)), pick(['x', '\n', '}', 'server { }\n', ' '], random)),
];

async function analysed(input: DocumentInput, previous: NginxEditBase | undefined) {
  // Built as the server does: the edited block parsed, the rest of the previous tree and line index moved (nginx/blockEdit.ts).
  const prepared = await buildContext(input, { ...options(), earlier: previous?.context });
  const shortcut = previous ? nginxEditShortcut(previous, prepared.context, SETTINGS, input.uri) : undefined;
  let shortcuts = 0;
  const counting: RuleShortcut | undefined = shortcut && (async (rule, tryRule) => {
    const found = await shortcut(rule, tryRule);
    if (found) shortcuts++;
    return found;
  });
  const analysis = await analyzeText(input, { ...options(), ruleShortcut: counting }, prepared);
  const blocks = (prepared.context.nginx?.servers ?? [])
    .map((server) => server.scope.block)
    .filter((block) => block?.file === prepared.context.nginx?.root.path && block?.blockSpan)
    .map((block) => block!.blockSpan!);
  return { analysis, base: nginxEditBase(prepared.context, analysis.findings, SETTINGS), blocks, shortcuts };
}

function nginxInputs(): DocumentInput[] {
  const conf = (path: string) => /\.conf$/.test(path) || /nginx/.test(path.split('/').pop() ?? '');
  const paths = [...filesUnder(fixturesRoot, conf), ...filesUnder(join(repoRoot, 'examples'), conf)];
  const corpus = join(sharedRoot, 'corpus', 'real-world');
  if (existsSync(corpus)) paths.push(...filesUnder(corpus, (path) => /\.conf$/.test(path)));
  const inputs = paths.map((path) => ({ uri: pathToFileURL(path).toString(), path, text: readFileSync(path, 'utf8') }));
  inputs.push({ uri: 'file:///bench/nginx.conf', path: '/bench/nginx.conf', text: generateNginx(600) });
  return inputs;
}

describe('the analysis after an edit inside one nginx server', () => {
  it('equals a full analysis of the same text after every edit of seeded random chains', async () => {
    let edits = 0;
    let incremental = 0;
    let rulesKept = 0;
    let front = 0;
    for (const [n, input] of nginxInputs().entries()) {
      let state = await analysed(input, undefined);
      if (!state.base) continue;
      front++;
      const random = prng(1000 + n);
      let text = input.text;
      const count = input.path === '/bench/nginx.conf' ? 60 : 12;
      for (let i = 0; i < count; i++) {
        const edited = pick(EDITS, random)(text, state.blocks, random);
        if (edited === text) continue;
        text = edited;
        const next = { ...input, text };
        const result = await analysed(next, state.base);
        const full = await analyzeText(next, options());
        assert.deepStrictEqual(result.analysis, full, `${input.path}, edit ${i} of chain ${1000 + n}`);
        edits++;
        if (result.shortcuts > 0) incremental++;
        rulesKept += result.shortcuts;
        // A chain goes on from the last result, as the server does (it keeps no base after a failed rule).
        state = result;
        if (!state.base) break;
      }
    }
    if (process.env.NGINX_EDITS_STATS) console.log({ front, edits, incremental, rulesKept });
    // The chains must exercise the shortcut, not only the fallbacks.
    assert.ok(front >= 10, `front-proxy inputs: ${front}`);
    assert.ok(incremental >= edits / 4, `${incremental} of ${edits} edits re-checked one server`);
    assert.ok(rulesKept > incremental, `${rulesKept} rules kept findings`);
  });

  it('typing into a proxy_pass target of the bench config keeps every other finding and shows the same diagnostics', async () => {
    let text = generateNginx(400);
    const input = { uri: 'file:///bench/nginx.conf', path: '/bench/nginx.conf', text };
    let state = await analysed(input, undefined);
    const at = text.indexOf('http://harbor0;') + 'http://harbor0'.length;
    for (let i = 0; i < 5; i++) {
      text = text.slice(0, at + i) + 'x' + text.slice(at + i);
      const before = state.analysis;
      state = await analysed({ ...input, text }, state.base);
      assert.equal(state.shortcuts, 12, 'every server-local rule kept the other servers');
      assert.deepStrictEqual(state.analysis, await analyzeText({ ...input, text }, options()));
      assert.ok(sameDiagnostics(before.findings, state.analysis.findings));
    }
  });
});

describe('edits inside one server that other servers read', () => {
  it('an upstream or a map added in one server changes the findings of another, as a full analysis does', async () => {
    // Server 1 sends $bearer to the API; server 0 gains the map that makes it a Bearer value, or an upstream named like server 1's target.
    const base = generateNginx(60).replace(/(location ~ \^\/api\/v2\\.0\/\(projects\|users\) \{\n)(\s+proxy_pass http:\/\/harbor1;)/, '$1            proxy_set_header Authorization $bearer;\n$2');
    assert.ok(base.includes('$bearer'));
    const input = { uri: 'file:///bench/nginx.conf', path: '/bench/nginx.conf', text: base };
    const at = base.indexOf('server_name harbor0.example.com;');
    for (const added of ['map $http_x $bearer { default "Bearer x"; }', 'upstream harbor1 { server registry:5000; }']) {
      const state = await analysed(input, undefined);
      const text = base.slice(0, at) + added + '\n        ' + base.slice(at);
      const result = await analysed({ ...input, text }, state.base);
      const full = await analyzeText({ ...input, text }, options());
      assert.notDeepStrictEqual(full.findings, state.analysis.findings, 'the edit changes findings');
      assert.deepStrictEqual(result.analysis, full, added);
    }
  });
});

describe('perServer rules', () => {
  it('are nginx rules that read no file (the twelve audited front-proxy checks)', () => {
    const perServer = ruleCatalog.filter((meta) => meta.perServer);
    assert.equal(perServer.length, 12);
    for (const meta of perServer) assert.deepEqual(meta.appliesTo, ['nginx'], meta.id);
  });
});

describe('sameDiagnostics', () => {
  it('tells a moved or reworded diagnostic from an unchanged one', async () => {
    const text = generateNginx(100);
    const { findings } = await analyzeText({ uri: 'file:///n.conf', text }, options());
    assert.ok(findings.length > 2);
    assert.ok(sameDiagnostics(findings, findings.map((finding) => ({ ...finding, span: { start: 0, end: 0 }, detail: 'not shown' }))));
    assert.ok(!sameDiagnostics(findings, findings.slice(1)));
    assert.ok(!sameDiagnostics(findings, findings.map((finding, i) => (i === 1 ? { ...finding, message: `${finding.message}!` } : finding))));
    assert.ok(!sameDiagnostics(findings, findings.map((finding, i) => (i === 1 ? { ...finding, range: { ...finding.range, end: { line: 0, character: 0 } } } : finding))));
  });
});
