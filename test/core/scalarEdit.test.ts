/**
 * Typing in a value reuses the earlier parse (issue 11 item 9): wherever it
 * is reused, the model and the analysis are exactly what a fresh parse and a
 * full analysis of the new text give. Seeded random edits, mostly inside
 * scalars, over every YAML fixture, the bench's values file and (when present)
 * the shared real-world corpus, each edit made on the result of the one before.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isCollection, isPair, isScalar, type Document } from 'yaml';
import { generateValues } from '../../bench/generate';
import { analyzeText, buildContext, type Analysis, type AnalyzeOptions, type DocumentInput } from '../../server/src/core/languageService';
import { seededRandom } from '../../server/src/core/secrets';
import { mightCallHarbor } from '../../server/src/core/scripts/model';
import { mayHoldHarborYaml } from '../../server/src/core/yaml/harborYaml';
import { parseYaml, parserInputOf, reusingEarlierParse, rootMaps, type ParsedYaml } from '../../server/src/core/yaml/yamlModel';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { filesUnder, fixturesRoot, sharedRoot } from '../helpers/fixtures';
import { prng } from '../fuzz/fuzzer';

/**
 * Everything a reader can see of a parsed document: each node's class, its
 * node type (a symbol the library's `isScalar` and friends read) and every
 * own enumerable property, at any depth; the document's directives and options.
 */
function shapeOf(value: unknown, schema?: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => shapeOf(item, schema));
  const shape: Record<string, unknown> = { class: value.constructor?.name };
  for (const symbol of Object.getOwnPropertySymbols(value)) shape[`symbol ${symbol.description}`] = (value as Record<symbol, unknown>)[symbol];
  const isDocument = 'directives' in value && 'contents' in value;
  for (const [key, inner] of Object.entries(value)) {
    if (isDocument && key === 'schema') shape.schema = (inner as { name: string }).name;
    else shape[key] = shapeOf(inner, isDocument ? inner : schema);
  }
  // A collection's schema is not enumerable: it must be its document's.
  if (isCollection(value)) shape.ownSchema = value.schema === schema;
  return shape;
}

function assertSameParse(actual: ParsedYaml, expected: ParsedYaml, where: string): void {
  assert.equal(actual.text, expected.text, where);
  assert.deepEqual(shapeOf(actual.documents), shapeOf(expected.documents), `${where}: documents`);
  assert.deepEqual(actual.errors, expected.errors, `${where}: errors`);
  assert.deepEqual(actual.duplicates, expected.duplicates, `${where}: duplicate keys`);
  assert.deepEqual(actual.templateSpans, expected.templateSpans, `${where}: template spans`);
  // What the parser read (templates masked): the next edit is compared with it.
  assert.equal(parserInputOf(actual), parserInputOf(expected), `${where}: parser input`);
  assert.deepEqual(actual.lines, expected.lines, `${where}: lines`);
}

/** Source ranges of every scalar (keys, values, items) in the parse. */
function scalarRanges(parsed: ParsedYaml): [number, number][] {
  const ranges: [number, number][] = [];
  const pending: unknown[] = parsed.documents.map((doc: Document.Parsed) => doc.contents);
  while (pending.length > 0) {
    const node = pending.pop();
    if (isPair(node)) pending.push(node.key, node.value);
    else if (isCollection(node)) pending.push(...node.items);
    else if (isScalar(node) && node.range) ranges.push([node.range[0], node.range[1]]);
  }
  return ranges.sort((a, b) => a[0] - b[0]);
}

const INSERTS = ['x', 'a', '7', ' ', 'true', 'null', '~', '0x1F', '1e3', '.5', 'ü', ':', ': ', ' #', '#', '"', "'", '\\', '-', '- ', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '|', '>', '%', '@', '`', '?', '\t', '{{ x }}', '\n', '\r\n', '---'];
const REPLACEMENTS = ['true', 'false', 'True', 'yes', 'null', 'NULL', '', '0', '012', '0o17', '0x1F', '1.50', '-.inf', '.NaN', '1e3', '2024-01-01', 'Harbor12345', 'https://harbor.example.com', 'a b', 'key: value'];

/** One edit of `text`: mostly inside a scalar (typing, deleting, replacing it), sometimes anywhere. */
function randomEdit(text: string, parsed: ParsedYaml, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const ranges = scalarRanges(parsed);
  if (ranges.length === 0 || random() < 0.1) {
    const at = Math.floor(random() * (text.length + 1));
    return random() < 0.5 ? text.slice(0, at) + pick(INSERTS) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  const [start, end] = pick(ranges);
  const roll = random();
  if (roll < 0.15) return text.slice(0, start) + pick(REPLACEMENTS) + text.slice(end); // the whole scalar replaced
  const at = start + Math.floor(random() * (end - start + 1));
  if (roll < 0.4) return text.slice(0, at) + text.slice(Math.min(end, at + 1 + Math.floor(random() * 2))); // a character or two deleted
  return text.slice(0, at) + pick(INSERTS) + text.slice(at); // typed
}

const files = createNodeFileAccess();
const options = (): AnalyzeOptions => ({ files, random: seededRandom(3), searchRoots: [] });

/** The YAML this test edits: fixtures, the bench's values file (shortened) and the real-world corpus when it is there. */
function inputs(): DocumentInput[] {
  const found: DocumentInput[] = [{ uri: 'file:///bench/values.yaml', text: generateValues(600) }];
  const corpus = join(sharedRoot, 'corpus', 'real-world');
  const paths = [...filesUnder(fixturesRoot), ...(existsSync(corpus) ? filesUnder(corpus) : [])].filter((path) => /\.ya?ml$/.test(path));
  for (const path of paths) found.push({ uri: path, path, text: readFileSync(path, 'utf8') });
  return found;
}

describe('the parse after an edit inside one scalar', () => {
  it('equals a fresh parse, and the analysis a full one, wherever the earlier parse is reused', async () => {
    const random = prng(11);
    let reused = 0;
    let edits = 0;
    let findingsChanged = 0;
    for (const input of inputs()) {
      let text = input.text;
      let parsed = parseYaml(text);
      let analysis: Analysis | undefined;
      // More edits in the bench file, the shape this is for (one huge key, anchors and aliases in every block).
      const count = input.uri.startsWith('file:///bench/') ? 10 : 3;
      for (let i = 0; i < count; i++) {
        const next = randomEdit(text, parsed, random);
        const earlier = parsed;
        edits++;
        const where = `${input.uri}, edit ${i}: ${JSON.stringify(next.slice(Math.max(0, sharedStart(text, next) - 20), sharedStart(text, next) + 20))}`;
        const { result: patched, reused: parseReused } = reusingEarlierParse(earlier, () => parseYaml(next));
        const fresh = parseYaml(next);
        assertSameParse(patched, fresh, where);
        text = next;
        parsed = fresh;
        if (!parseReused) continue; // both sides parsed the text: nothing more to compare
        reused++;
        // A text left with no word of Harbor YAML is recognised without a parse (recognize.ts): no model to build from it.
        if (!mayHoldHarborYaml(next) && !mightCallHarbor(next)) continue;
        // Through the facade, as the language server builds a version's model from the one before:
        // every other time giving the earlier model up, so that its documents are changed in place.
        const built = reusingEarlierParse(earlier, () => buildContext({ ...input, text: next }, options()), { consume: i % 2 === 1 });
        const prepared = await built.result;
        // buildContext recognises the text (and parses it) before its first await: the offer reaches that parse.
        assert.ok(built.reused, `${where}: the model is built from the earlier parse`);
        if (prepared.context.yaml?.text === next) assertSameParse(prepared.context.yaml, fresh, `${where} (${i % 2 === 1 ? 'in place' : 'copied'})`);
        const incremental = await analyzeText({ ...input, text: next }, options(), prepared);
        const full = await analyzeText({ ...input, text: next }, options());
        assert.deepEqual(incremental, full, `${where}: analysis`);
        if (analysis && JSON.stringify(full.findings) !== JSON.stringify(analysis.findings)) findingsChanged++;
        // The next edit starts from what the server keeps: the model built from the earlier one.
        if (prepared.context.yaml?.text === next) parsed = prepared.context.yaml;
        analysis = full;
      }
    }
    console.log(`scalar edits: the earlier parse was reused for ${reused} of ${edits} edits, ${findingsChanged} of them changed findings`);
    assert.ok(reused > edits / 3, `the earlier parse was reused for ${reused} of ${edits} edits`);
    assert.ok(findingsChanged > 50, `reused edits that changed findings: ${findingsChanged}`);
  });

  const reuse = (before: string, after: string) => {
    const { result, reused } = reusingEarlierParse(parseYaml(before), () => parseYaml(after));
    assertSameParse(result, parseYaml(after), after);
    return { reused, parsed: result };
  };

  it('resolves the new text with the schema, as a fresh parse does', () => {
    const value = (after: string, key = 'a') => {
      const { reused, parsed } = reuse('a: true\nb: 1\nc: "q"\n', after);
      assert.ok(reused, after);
      return rootMaps(parsed)[0].get(key)!.value;
    };
    assert.equal(value('a: truex\nb: 1\nc: "q"\n'), 'truex');
    assert.equal(value('a: tru\nb: 1\nc: "q"\n'), 'tru');
    assert.equal(value('a: true\nb: 12\nc: "q"\n', 'b'), 12);
    assert.equal(value('a: true\nb: 1.\nc: "q"\n', 'b'), 1);
    assert.equal(value('a: true\nb: 1\nc: "q1"\n', 'c'), 'q1');
    assert.equal(value('a: true\nb: 1\nc: "q\\t"\n', 'c'), 'q\t');
    assert.equal(value('a: true\nb: 1\nc: "q"\n', 'c'), 'q');
  });

  it('moves everything after the edit, in this and later documents, and keeps anchors and aliases', () => {
    const before = 'a: &pw secret # note\nb: *pw\n---\nc: [1, 2]\n';
    const { reused, parsed } = reuse(before, before.replace('secret', 'secretly'));
    assert.ok(reused);
    assert.equal(rootMaps(parsed)[0].get('b')!.value, 'secretly');
    const c = rootMaps(parsed)[1].get('c')!;
    assert.equal(parsed.text.slice(c.valueSpan.start, c.valueSpan.end), '[1, 2]');
  });

  it('masks templates again only on the edited line, as on the whole text', () => {
    const before = 'a: {{ .Values.a }}\nb: x {{ y }}\nc: {% if z %}\nd: [1, 2]\n';
    for (const after of [before.replace('x {{', 'xx {{'), before.replace('{{ y }}', '{{ y }'), before.replace('{{ y }}', '{{ yy }}'), before.replace('x {{', '[ {{'), before.replace('{%', '%{')]) {
      reuse(before, after); // compares the parser input and template spans with a fresh parse's
    }
    assert.equal(reuse(before, before.replace('x {{', 'xx {{')).reused, true);
  });

  it('finds duplicate keys again when a key is edited', () => {
    const { reused, parsed } = reuse('ab: 1\na: 2\n', 'a: 1\na: 2\n');
    assert.ok(reused);
    assert.deepEqual(parsed.duplicates.map((duplicate) => duplicate.key), ['a']);
  });

  it('parses again when the edit can change more than one scalar', () => {
    const cases: [string, string][] = [
      ['a: b\n', 'a: b: c\n'], // a mapping
      ['a: b\n', 'a: b #c\n'], // a comment
      ['a: b\n', 'a: "b\n'], // an open quote
      ['a: "b"\n', 'a: "b"x\n'], // text after the closing quote
      ['a: { cpu: 1 }\n', 'a: { cpu: 1, m }\n'], // a comma in flow
      ['a: [x]\n', 'a: [x]]\n'], // a bracket in flow
      ['a: b\n', 'a: \n'], // the value emptied
      ['a: b\n', 'a: b\nc\n'], // a line break
      ['a: b\n', 'a: !!str b\n'], // a tag
      ['a: b\nb: c d\n', 'a: b\nb: c\n  d\n'],
      ['a: b\n', 'a: "b"\n'], // a change of style
      ['%YAML 1.1\n---\na: b\n', '%YAML 1.1\n---\na: yes\n'], // another schema
      ['c: d\na: !!set { b }\n', 'c: dd\na: !!set { b }\n'], // a node class the copy does not know, after the edit
      ['a: b\nb\n', 'a: bb\nb\n'], // an earlier parse with errors
      ['- a\n', '- - a\n'],
      ['top\n', 'topx\n'], // a document that is one scalar
      ["p: 'Harbor12345'\nq: r\n", "p: 'Harbor12345''\nq: r\n"], // a quote left open by a doubled quote at its end
      ['p: "C:\\dir"\nq: r\n', 'p: "C:\\dir\\"\nq: r\n'], // ... or by an escaped closing quote
      ['[aa,\nbb, cc]\n', '[aa,\n--- bb, cc]\n'], // a document marker where a line starts
      ['[aa,\nbb, cc]\n', '[aa,\n... bb, cc]\n'],
    ];
    for (const [before, after] of cases) assert.equal(reuse(before, after).reused, false, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  });

  it('leaves the earlier parse as it was', () => {
    const before = 'a: b\nc: [d, e]\nf: g\n';
    const earlier = parseYaml(before);
    const shape = shapeOf(earlier.documents);
    const { reused } = reusingEarlierParse(earlier, () => parseYaml('a: bbb\nc: [d, e]\nf: g\n'));
    assert.ok(reused);
    assert.deepEqual(shapeOf(earlier.documents), shape);
    assertSameParse(earlier, parseYaml(before), 'earlier');
  });

  it('changes a model given up in place, once', () => {
    const before = 'a: &x b\nc: [d, *x]\ne: f\n';
    const after = 'a: &x bb\nc: [d, *x]\ne: f\n';
    const earlier = parseYaml(before);
    const documents = earlier.documents[0];
    const { result, reused } = reusingEarlierParse(earlier, () => parseYaml(after), { consume: true });
    assert.ok(reused);
    assert.equal(result.documents[0], documents, 'the same document, changed');
    assertSameParse(result, parseYaml(after), after);
    assert.equal(reusingEarlierParse(earlier, () => parseYaml('a: &x bbb\nc: [d, *x]\ne: f\n'), { consume: true }).reused, false, 'not offered again');
    // Given up but not reusable (a line break): left as it was.
    const other = parseYaml(before);
    const shape = shapeOf(other.documents);
    assert.equal(reusingEarlierParse(other, () => parseYaml(before.replace('b\n', 'b\n\n')), { consume: true }).reused, false);
    assert.deepEqual(shapeOf(other.documents), shape);
  });

  it('never changes a model in place that shares nodes with another', () => {
    // A hover read version 1, so version 2 is a copy; version 3 is then built in place from version 2.
    const first = parseYaml('a: b\nc: d\ne: f\n');
    const shape = shapeOf(first.documents);
    const second = reusingEarlierParse(first, () => parseYaml('a: b\nc: d\ne: ff\n'));
    const third = reusingEarlierParse(second.result, () => parseYaml('a: bb\nc: d\ne: ff\n'), { consume: true });
    assert.ok(second.reused && third.reused);
    assert.deepEqual(shapeOf(first.documents), shape, 'version 1 as it was');
    assertSameParse(first, parseYaml('a: b\nc: d\ne: f\n'), 'version 1');
    assertSameParse(third.result, parseYaml('a: bb\nc: d\ne: ff\n'), 'version 3');
  });

  it('offers the earlier parse only while the given function runs, and only to parses of the whole text', () => {
    const earlier = parseYaml('a: b\n');
    assert.equal(reusingEarlierParse(earlier, () => 1).reused, false);
    const later = parseYaml('a: bc\n');
    assert.equal(reusingEarlierParse(undefined, () => parseYaml('a: bcd\n')).reused, false);
    assert.ok(!Object.is(later.documents[0], earlier.documents[0]));
    assert.equal(reusingEarlierParse(earlier, () => parseYaml('a: bc\n', (offset) => offset + 10)).reused, false);
  });
});

function sharedStart(a: string, b: string): number {
  let at = 0;
  while (at < a.length && a[at] === b[at]) at++;
  return at;
}

