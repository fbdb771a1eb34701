/**
 * Parsing again only the block an edit is in (nginx/blockEdit.ts): after every
 * edit of seeded random chains (typing, braces, quotes, comments, line breaks,
 * template and Lua syntax, deletions across blocks), the tree equals a fresh
 * parse of the same text, comments and errors included, whether the block was
 * parsed again or the edit fell back to a whole parse; and the earlier tree is
 * left as it was, sharing no directive with the new one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateNginx } from '../../bench/generate';
import type { NginxDirective, NginxFile } from '../../server/src/core/nginx/ast';
import { parseNginxAfterEdit, reparseEditedBlock } from '../../server/src/core/nginx/blockEdit';
import { parseNginx } from '../../server/src/core/nginx/parser';
import { prng } from '../fuzz/fuzzer';
import { filesUnder, fixturesRoot, repoRoot } from '../helpers/fixtures';

const PIECES = ['x', '0', ' ', ';', '{', '}', '"', "'", '#', ' # note', '\n', '\r', '\r\n', '\\', '$', '${', '${x}', '{{', '{%', '{#', 'location /a { return 200; }', 'server { listen 80; }', 'content_by_lua_block { ngx.say("}") }', 'proxy_pass http://harbor;'];

function directivesOf(file: NginxFile): Set<NginxDirective> {
  const all = new Set<NginxDirective>();
  const stack = [...file.directives];
  while (stack.length > 0) {
    const directive = stack.pop()!;
    all.add(directive);
    if (directive.block) stack.push(...directive.block);
  }
  return all;
}

/** An offset inside some block (after a `{`, before the text's end), or anywhere. */
function offsetIn(text: string, random: () => number): number {
  if (random() < 0.8) {
    const opens = [...text.matchAll(/\{/g)].map((match) => match.index!);
    if (opens.length > 0) {
      const open = opens[Math.floor(random() * opens.length)];
      const close = text.indexOf('}', open);
      const end = close < 0 ? text.length : close;
      return open + 1 + Math.floor(random() * (end - open));
    }
  }
  return Math.floor(random() * (text.length + 1));
}

function edit(text: string, random: () => number): string {
  const at = offsetIn(text, random);
  if (random() < 0.25) return text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * (random() < 0.8 ? 3 : 80)));
  return text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at);
}

function inputs(): { path: string; text: string }[] {
  const conf = (path: string) => /\.conf$/.test(path) || /nginx/.test(path.split('/').pop() ?? '');
  const paths = [...filesUnder(fixturesRoot, conf), ...filesUnder(join(repoRoot, 'examples'), conf)];
  const list = paths.map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  list.push({ path: '/bench/nginx.conf', text: generateNginx(300) });
  list.push({ path: '/bench/crlf.conf', text: generateNginx(120).replace(/\n/g, '\r\n') });
  return list;
}

describe('parsing again the block an edit is in', () => {
  it('gives the tree of a fresh parse after every edit of seeded random chains, and leaves the earlier tree as it was', () => {
    let edits = 0;
    let reparsed = 0;
    for (const [n, input] of inputs().entries()) {
      const random = prng(7000 + n);
      let text = input.text;
      let earlier = parseNginx(text, input.path);
      for (let i = 0; i < 40; i++) {
        const next = edit(text, random);
        if (next === text) continue;
        const fresh = parseNginx(next, input.path);
        const direct = reparseEditedBlock(earlier, next, input.path);
        const tree = parseNginxAfterEdit(earlier, next, input.path);
        const where = `${input.path}, edit ${i} of chain ${7000 + n}`;
        assert.deepStrictEqual(tree, fresh, where);
        if (direct) {
          reparsed++;
          assert.deepStrictEqual(direct, fresh, where);
          const before = directivesOf(earlier);
          for (const directive of directivesOf(tree)) assert.ok(!before.has(directive), `${where}: a directive shared with the earlier tree`);
        }
        assert.deepStrictEqual(earlier, parseNginx(text, input.path), `${where}: the earlier tree changed`);
        edits++;
        text = next;
        earlier = tree;
        // Restart from the input when edits have broken the file beyond the block path (errors fall back for good).
        if (earlier.errors.length > 0 && random() < 0.5) {
          text = input.text;
          earlier = parseNginx(text, input.path);
        }
      }
    }
    if (process.env.BLOCK_EDIT_STATS) console.log({ edits, reparsed });
    // The chains must exercise the block path, not only the fallbacks.
    assert.ok(reparsed >= edits / 4, `${reparsed} of ${edits} edits parsed one block`);
    assert.ok(reparsed < edits, 'some edits fall back');
  });

  it('falls back where the block cannot be parsed alone', () => {
    const text = 'http {\n    server {\n        listen 80;\n    }\n    server {\n        server_name "a.example.com";\n    }\n}\n';
    const earlier = parseNginx(text, '/n.conf');
    const at = text.indexOf('listen 80') + 'listen 80'.length;
    const cases: [string, string][] = [
      // A quote that the next server's quote closes: the token runs past the block.
      ['an open quote', text.slice(0, at) + ' "' + text.slice(at)],
      ['template syntax', text.slice(0, at) + ' {{ x }}' + text.slice(at)],
      ['a Lua body', text.slice(0, at) + '; content_by_lua_block { }' + text.slice(at)],
      ['a brace that closes the server early', text.slice(0, at) + '; }' + text.slice(at)],
      ['the edit outside any block', '# top\n' + text],
    ];
    for (const [what, next] of cases) {
      assert.equal(reparseEditedBlock(earlier, next, '/n.conf'), undefined, what);
      assert.deepStrictEqual(parseNginxAfterEdit(earlier, next, '/n.conf'), parseNginx(next, '/n.conf'), what);
    }
    // Blocks nested deeper than the copy goes (its stack): the whole text is parsed.
    const deep = `a {\n${'b {\n'.repeat(600)}${'}\n'.repeat(600)}}\nc {\n    x 1;\n}\n`;
    const deepEdited = deep.replace('x 1;', 'x 12;');
    assert.equal(reparseEditedBlock(parseNginx(deep, '/n.conf'), deepEdited, '/n.conf'), undefined, 'deep nesting');
    assert.deepStrictEqual(parseNginxAfterEdit(parseNginx(deep, '/n.conf'), deepEdited, '/n.conf'), parseNginx(deepEdited, '/n.conf'));
    const shallow = deep.replace(/b \{\n/g, '').replace(/\}\n(?=\}\n)/g, '');
    assert.ok(reparseEditedBlock(parseNginx(shallow, '/n.conf'), shallow.replace('x 1;', 'x 12;'), '/n.conf'), 'shallow nesting is parsed in place');
    const typed = text.slice(0, at) + '0' + text.slice(at);
    assert.deepStrictEqual(reparseEditedBlock(earlier, typed, '/n.conf'), parseNginx(typed, '/n.conf'));
    assert.equal(reparseEditedBlock(earlier, typed, '/other.conf'), undefined, 'another file');
    const broken = parseNginx(text.replace('listen 80;', 'listen 80'), '/n.conf');
    assert.equal(reparseEditedBlock(broken, typed, '/n.conf'), undefined, 'an earlier parse with errors');
  });
});
