/** Defects found by probing the core as a hostile user would: each test failed before its fix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { firstInvalidUtf8, decodeBytes } from '../../server/src/core/decode';
import { analyzeBytes, analyzeText } from '../../server/src/core/languageService';
import { keepInBounds } from '../../server/src/core/reportBounds';

/** The definition firstInvalidUtf8 must agree with: a fatal decoder over each sequence in turn. */
function firstInvalidByDecoder(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return i;
}

describe('decoding', () => {
  it('finds the first bad UTF-8 byte exactly where a fatal decoder does', () => {
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    let state = 7;
    const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 20000; round++) {
      const bytes = Uint8Array.from({ length: 1 + (next() % 8) }, () => interesting[next() % interesting.length]);
      assert.equal(firstInvalidUtf8(bytes), firstInvalidByDecoder(bytes), Buffer.from(bytes).toString('hex'));
    }
  });

  it('a file too large to check is not searched for its bad byte, and 32 MB with the bad byte last is refused at once', async () => {
    const over = Buffer.alloc(1000, 0x61);
    over[over.length - 1] = 0xff;
    assert.equal(decodeBytes(over, { maxChars: 100 }).problem, undefined, 'over the limit: no scan for the bad byte');
    assert.equal(decodeBytes(over).problem?.kind, 'invalid-utf8');

    const big = Buffer.alloc(32 * 1024 * 1024, 0x61);
    big[big.length - 1] = 0xff;
    const start = performance.now();
    const analysis = await analyzeBytes({ uri: 'big.yaml', bytes: big });
    const ms = performance.now() - start;
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['input-too-large']);
    assert.match(analysis.findings[0].message, /33,554,432 bytes/);
    // A hang guard (it took 5.5 s, decoding byte by byte), not a speed claim.
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  });
});

describe('spans stay inside the document', () => {
  it('keepInBounds drops a finding, a fix or a related location that points outside, and says so', () => {
    const problems: string[] = [];
    const fail = (problem: string) => problems.push(problem);
    assert.equal(keepInBounds({ span: { start: 5, end: 11 }, message: 'm' }, 10, fail), undefined);
    const kept = keepInBounds(
      {
        span: { start: 0, end: 10 },
        message: 'm',
        fixes: [
          { title: 'bad', safety: 'safe', edits: [{ span: { start: 11, end: 11 }, newText: 'x' }] },
          { title: 'good', safety: 'safe', edits: [{ span: { start: 10, end: 10 }, newText: 'x' }] },
        ],
        related: [
          { span: { start: 3, end: 2 }, message: 'reversed' },
          { span: { start: 0, end: 4 }, message: 'other file', file: '/x', text: 'abcd' },
          { span: { start: 0, end: 5 }, message: 'past the other file', file: '/x', text: 'abcd' },
        ],
      },
      10,
      fail,
    );
    assert.deepEqual(kept?.fixes?.map((f) => f.title), ['good']);
    assert.deepEqual(kept?.related?.map((r) => r.message), ['other file']);
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  it('a values file ending in a bare externalURL gets a fix that ends inside the file and writes the colon', async () => {
    const text = 'expose:\n  type: ingress\n  ingress:\n    hosts:\n      core: harbor.example.com\nexternalURL';
    const analysis = await analyzeText({ uri: 'values.yaml', text });
    assert.deepEqual(analysis.internalErrors, []);
    const fix = analysis.findings.find((f) => f.ruleId === 'external-url')!.fixes[0];
    assert.deepEqual(fix.edits, [{ span: { start: text.length, end: text.length }, newText: ': https://harbor.example.com' }]);
    for (const finding of analysis.findings) assert.ok(finding.span.end <= text.length, finding.ruleId);
  });
});
