import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBytes, isGeneratedValue } from '../../server/src/core/decode';
import { applyEdits, compareText, formatCount, LineIndex, sharedEnds, wholeTextScan } from '../../server/src/core/text';
import { prng } from '../fuzz/fuzzer';

describe('LineIndex', () => {
  it('maps offsets and positions for LF, CRLF and lone CR', () => {
    const lines = new LineIndex('a\r\nbc\nd\re');
    assert.equal(lines.lineCount, 4);
    assert.deepEqual(lines.positionAt(3), { line: 1, character: 0 });
    assert.deepEqual(lines.positionAt(8), { line: 3, character: 0 });
    assert.equal(lines.offsetAt({ line: 1, character: 1 }), 4);
    assert.equal(lines.lineText(0), 'a');
    assert.equal(lines.lineEnd(0), 1);
    assert.equal(lines.eol, '\r\n');
    assert.equal(lines.offsetAt({ line: 0, character: 99 }), 1, 'clamped to the line end');
  });

  it('finds the same line starts on the fast path (no CR) as a character-by-character scan', () => {
    for (const text of ['', '\n', 'a', 'a\n', '\n\nb\n', 'x\ny\n\nz', 'k: v\n'.repeat(1000) + 'tail']) {
      const lines = new LineIndex(text);
      const expected = [0, ...[...text].flatMap((ch, i) => (ch === '\n' ? [i + 1] : []))];
      assert.equal(lines.lineCount, expected.length, JSON.stringify(text.slice(0, 20)));
      expected.forEach((start, line) => assert.equal(lines.lineStart(line), start));
    }
  });

  it('after an edit, equals the index of the new text (line breaks typed, deleted and split between CR and LF)', () => {
    const random = prng(42);
    const pieces = ['x', '\n', '\r', '\r\n', 'ab\ncd', '\n\r', ''];
    let text = 'a\r\nbc\nd\re\n\nserver {\r\n  listen 80;\n}\r';
    let lines = new LineIndex(text);
    for (let i = 0; i < 3000; i++) {
      const at = Math.floor(random() * (text.length + 1));
      const removed = random() < 0.4 ? Math.floor(random() * 4) : 0;
      const next = text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at + removed);
      const edited = LineIndex.afterEdit(lines, next, sharedEnds(text, next));
      assert.deepStrictEqual(edited, new LineIndex(next), JSON.stringify([text, next]));
      [text, lines] = next.length > 200 ? [next.slice(0, 40), new LineIndex(next.slice(0, 40))] : [next, edited];
    }
  });

  it('counts UTF-16 code units like LSP', () => {
    const lines = new LineIndex('k: "😀x"\n');
    assert.deepEqual(lines.positionAt('k: "😀x'.length), { line: 0, character: 7 });
  });
});

describe('sharedEnds', () => {
  it('finds the shared start, then the shared end of what is left, as a character-by-character scan does', () => {
    const naive = (a: string, b: string) => {
      let prefix = 0;
      const shorter = Math.min(a.length, b.length);
      while (prefix < shorter && a[prefix] === b[prefix]) prefix++;
      let suffix = 0;
      while (suffix < shorter - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
      return { prefix, suffix };
    };
    const random = prng(7);
    // Texts around the chunk size, repetitive ones (where the two ends could overlap), edits anywhere.
    for (let i = 0; i < 400; i++) {
      const length = [0, 1, 1023, 1024, 1025, 2048, 3000, 5000][i % 8] + Math.floor(random() * 3);
      const a = random() < 0.5 ? 'a'.repeat(length) : Array.from({ length }, () => 'abc\n'[Math.floor(random() * 4)]).join('');
      const at = Math.floor(random() * (a.length + 1));
      const b = a.slice(0, at) + ['', 'a', 'x', 'a'.repeat(1500)][i % 4] + a.slice(Math.min(a.length, at + Math.floor(random() * 3) * (i % 5 === 0 ? 700 : 1)));
      assert.deepEqual(sharedEnds(a, b), naive(a, b), `${a.length} ${b.length} ${at}`);
      assert.deepEqual(sharedEnds(b, a), naive(b, a));
    }
  });
});

describe('applyEdits', () => {
  it('applies non-overlapping edits in any order and rejects overlaps', () => {
    assert.equal(applyEdits('abcdef', [{ span: { start: 4, end: 5 }, newText: 'E' }, { span: { start: 0, end: 1 }, newText: 'A' }]), 'AbcdEf');
    assert.throws(() => applyEdits('abcdef', [{ span: { start: 0, end: 3 }, newText: '' }, { span: { start: 2, end: 4 }, newText: '' }]), /overlapping/);
  });
});

describe('formatCount and compareText (no Intl)', () => {
  it('writes integers as toLocaleString("en-US") does', () => {
    for (const count of [0, 7, 999, 1000, 65536, 1234567, 33554432, -1234]) assert.equal(formatCount(count), count.toLocaleString('en-US'), String(count));
  });

  it('orders by code unit, the same in every locale', () => {
    assert.deepEqual(['b', 'B', 'a-b', 'a', 'ab'].sort(compareText), ['B', 'a', 'a-b', 'ab', 'b']);
    assert.equal(compareText('x', 'x'), 0);
  });
});

describe('wholeTextScan', () => {
  it('returns the pattern itself, ready to search from the start', () => {
    // The neutral text it is first run on is spaces: a global pattern that matches spaces must not keep that run's position.
    const pattern = /\s+|robot/g;
    assert.equal(wholeTextScan(pattern), pattern);
    assert.equal(pattern.lastIndex, 0);
    assert.deepEqual([...'a robot b'.matchAll(pattern)].map((match) => match.index), [1, 2, 7]);
    assert.equal(wholeTextScan(/robot/).test('no such word'), false);
  });
});

describe('decodeBytes', () => {
  it('reads UTF-8 with and without BOM, and UTF-16 with BOM', () => {
    assert.deepEqual(decodeBytes(Buffer.from('a: 1')), { text: 'a: 1', encoding: 'utf-8' });
    assert.equal(decodeBytes(Buffer.from('\uFEFFa: 1')).text, 'a: 1');
    assert.equal(decodeBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: ü', 'utf16le')])).text, 'a: ü');
    assert.equal(decodeBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('a', 'utf16le').swap16()])).text, 'a');
  });

  it('flags binary content and invalid UTF-8 with the first bad offset', () => {
    assert.equal(decodeBytes(Buffer.from([0x61, 0x00, 0x62])).problem?.kind, 'binary');
    const bad = decodeBytes(Buffer.from([0x61, 0x62, 0xfc, 0x63]));
    assert.deepEqual(bad.problem, { kind: 'invalid-utf8', byteOffset: 2, message: bad.problem!.message });
    assert.equal(bad.text, 'ab\uFFFDc');
  });
});

describe('isGeneratedValue', () => {
  for (const value of ['{{ .Values.x }}', '{% raw %}', '${HARBOR_PASSWORD}', '$HARBOR_PASSWORD', 'ENC[AES256_GCM,data:abc,iv:x,tag:y,type:str]', '<YOUR-PASSWORD>', '%{ if x }', '$(cat /run/secret)', 'ref+vault://secret/harbor#pw'])
    it(`treats ${value} as generated`, () => assert.equal(isGeneratedValue(value), true));
  for (const value of ['Harbor12345', 'not-a-secure-key', 'pa$$word', 'a<b', 'ENCRYPTED'])
    it(`treats ${value} as a literal`, () => assert.equal(isGeneratedValue(value), false));
});
