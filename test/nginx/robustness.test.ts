/** Hostile input: deep nesting, binary garbage, huge and pathological texts never throw or overflow. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PAYLOAD_DEPTH, toCrossplanePayload } from '../../server/src/core/nginx/crossplane';
import { MAX_TOKENS, parseNginx } from '../../server/src/core/nginx/parser';
import { walkDirectives } from '../../server/src/core/nginx/walk';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
}

test('10,000 nested blocks parse, walk and export without recursion', () => {
  const depth = 10000;
  const text = 'a {'.repeat(depth) + 'leaf on;' + '}'.repeat(depth);
  const file = parseNginx(text, 'deep.conf');
  assert.deepEqual(file.errors, []);
  let count = 0;
  let deepest = 0;
  for (const entry of walkDirectives(file.directives)) {
    count++;
    if (entry.directive.name === 'leaf') deepest = entry.parents.length;
  }
  assert.equal(count, depth + 1);
  assert.equal(deepest, depth);
  const payload = toCrossplanePayload([file]);
  assert.match(payload.config[0].errors[0].error, new RegExp(`deeper than ${MAX_PAYLOAD_DEPTH} levels`));
  assert.ok(JSON.stringify(payload).length > 0, 'the payload serialises');
});

test('10,000 unclosed braces are reported, not recursed into', () => {
  const file = parseNginx('a {'.repeat(10000), 'open.conf');
  assert.equal(file.errors.length, 1001, 'errors are capped');
  assert.equal(file.errors[0].message, 'unexpected end of file, expecting "}" to close the "a" block');
  assert.equal(file.errors[1000].message, 'too many errors; only the first 1000 are reported');
  const anonymous = parseNginx('{ '.repeat(10000), 'anon.conf');
  assert.equal(anonymous.errors.length, 1001);
  assert.deepEqual(anonymous.directives, []);
  // `{{` is a template expression, not 10,000 blocks.
  const templated = parseNginx('{'.repeat(10000), 'tpl.conf');
  assert.equal(templated.directives.length, 1);
  assert.equal(templated.directives[0].templated, true);
  const closes = parseNginx('}'.repeat(10000), 'close.conf');
  assert.ok(closes.errors.length <= 1001);
});

test('binary garbage parses without throwing and with in-range spans', () => {
  const next = seeded(42);
  let text = '';
  for (let i = 0; i < 200_000; i++) text += String.fromCharCode(next() >>> 24);
  text += '\uFFFD\u0000\uD800';
  const file = parseNginx(text, 'garbage.bin');
  const spans = [...walkDirectives(file.directives)].flatMap(({ directive }) => [directive.span, directive.nameSpan, ...directive.args.map((a) => a.span)]);
  for (const span of [...spans, ...file.errors.map((e) => e.span), ...file.comments.map((c) => c.span)]) {
    assert.ok(span.start >= 0 && span.start <= span.end && span.end <= text.length, `bad span ${JSON.stringify(span)}`);
  }
  toCrossplanePayload([file]);
});

test('pathological template, quote, Lua and ${ inputs stay linear (finish promptly)', () => {
  const inputs = [
    '{{'.repeat(200_000),
    '{% '.repeat(200_000),
    'server {# '.repeat(50_000),
    '"'.repeat(200_000),
    "a '{{".repeat(100_000),
    'content_by_lua_block {' + '[[ --[[ "'.repeat(50_000),
    'a ${'.repeat(200_000),
    'a' + ' x'.repeat(300_000) + ';',
  ];
  for (const text of inputs) {
    const file = parseNginx(text, 'p.conf');
    assert.ok(Array.isArray(file.directives));
  }
});

test('a 20,000-line config parses into the expected tree', () => {
  const lines: string[] = ['http {'];
  for (let s = 0; s < 250; s++) {
    lines.push('  server {', '    listen 443 ssl;', `    server_name h${s}.example.com;`);
    for (let l = 0; l < 19; l++) lines.push(`    location /p${l} {`, '      proxy_pass http://core;', '      proxy_set_header Host $http_host; # why', '    }');
    lines.push('  }');
  }
  lines.push('}');
  assert.ok(lines.length > 20_000);
  const text = lines.join('\n');
  const file = parseNginx(text, 'big.conf');
  assert.deepEqual(file.errors, []);
  assert.equal(file.directives[0].block!.length, 250);
  assert.equal(file.comments.length, 250 * 19);
  const last = file.directives[0].block![249].block!.at(-1)!;
  assert.equal(last.line, lines.length - 5);
  assert.equal(text.slice(last.span.start, last.span.end), 'location /p18 {\n      proxy_pass http://core;\n      proxy_set_header Host $http_host; # why\n    }');
});

test('a 50 MB text stops at the token limit with an error instead of exhausting memory', () => {
  const text = 'proxy_set_header Host $host;\n'.repeat(Math.ceil(50_000_000 / 29));
  const file = parseNginx(text, 'huge.conf');
  assert.equal(file.errors.length, 1);
  assert.match(file.errors[0].message, /too large to check/);
  assert.ok(file.directives.length > 0 && file.directives.length <= MAX_TOKENS / 4 + 1);
});
