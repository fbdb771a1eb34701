/** The template mask: same result as the lazy regexps it replaced, in linear time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { maskTemplates } from '../../server/src/core/yaml/templateMask';

/** The definition the scanner must agree with: shortest match on one line, left to right. */
function maskByRegexp(text: string): { text: string; spans: [number, number][] } {
  const spans: [number, number][] = [];
  let masked = text.replace(/\{%[^\n]*?%\}|\{#[^\n]*?#\}|%\{[^\n]*?\}/g, (match, offset: number) => {
    spans.push([offset, offset + match.length]);
    return ' '.repeat(match.length);
  });
  masked = masked.replace(/\{\{[^\n]*?\}\}/g, (match, offset: number) => {
    spans.push([offset, offset + match.length]);
    return 'x'.repeat(match.length);
  });
  spans.sort((a, b) => a[0] - b[0]);
  return { text: masked, spans };
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('template mask', () => {
  it('agrees with the lazy regexps on random mixes of delimiters', () => {
    const pieces = ['{{', '}}', '{%', '%}', '{#', '#}', '%{', '}', '{', '%', '#', 'a', ' ', '\n', 'x: '];
    const random = seeded(11);
    for (let round = 0; round < 3000; round++) {
      let text = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i++) text += pieces[Math.floor(random() * pieces.length)];
      const expected = maskByRegexp(text);
      const actual = maskTemplates(text);
      assert.equal(actual.text, expected.text, JSON.stringify(text));
      assert.deepEqual(actual.templateSpans.map((s) => [s.start, s.end]), expected.spans, JSON.stringify(text));
    }
  });

  it('masks the usual templates', () => {
    const { text, templateSpans } = maskTemplates('a: {{ .Values.x }}\n{% if y %}\nb: %{ if z }c%{ endif }\n');
    assert.equal(text, `a: xxxxxxxxxxxxxxx\n${' '.repeat(10)}\nb: ${' '.repeat(9)}c${' '.repeat(10)}\n`);
    assert.equal(templateSpans.length, 4);
  });

  // A hang guard, not a speed claim: the lazy regexp took tens of seconds here.
  it('a line of 100,000 unclosed {{ (and {% and %{) is masked without backtracking', () => {
    for (const opener of ['{{', '{%', '%{', '{#']) {
      const text = `x: ${opener.repeat(100000)}\n`;
      const start = performance.now();
      const masked = maskTemplates(text);
      const ms = performance.now() - start;
      assert.equal(masked.templateSpans.length, 0);
      assert.ok(ms < 2000, `${opener} x 100,000 took ${ms.toFixed(0)} ms`);
    }
  });
});
