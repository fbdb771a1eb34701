import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml, rootMaps } from '../../server/src/core/yaml/yamlModel';

const root = (text: string) => rootMaps(parseYaml(text))[0];

describe('YAML model', () => {
  it('finds values by dotted path with exact spans', () => {
    // As in the chart's values.yaml: the comment sits at the key's indent, so the block scalar is empty.
    const text = 'core:\n  tokenKey: |\n  # only a comment\n  secret: "abc"\n';
    const view = root(text);
    const secret = view.get('core.secret')!;
    assert.equal(text.slice(secret.keySpan.start, secret.keySpan.end), 'secret');
    assert.equal(text.slice(secret.valueSpan.start, secret.valueSpan.end), '"abc"');
    assert.equal(secret.value, 'abc');
    assert.equal(view.isSet('core.tokenKey'), false, 'a block scalar holding only a comment is empty');
    assert.equal(view.get('core.missing'), undefined);
  });

  it('resolves aliases and lets the last duplicate key win', () => {
    const view = root('a: &pw Harbor12345\nb: *pw\n');
    assert.equal(view.get('b')!.value, 'Harbor12345');
  });

  it('lists keys set twice in one mapping, at any depth, without calling them errors', () => {
    const text = 'a: 1\nb:\n  c: 1\n  c: 2\na:\n  x: 1\nd: [ {e: 1, e: 2} ]\n';
    const parsed = parseYaml(text);
    assert.deepEqual(parsed.errors, []);
    const found = parsed.duplicates.map((d) => [d.key, text.slice(d.ignored.keySpan.start, d.ignored.valueSpan.end), d.ignored.block, parsed.lines.positionAt(d.kept.keySpan.start).line]);
    assert.deepEqual(found.sort(), [
      ['a', 'a: 1', false, 4],
      ['c', 'c: 1', false, 3],
      ['e', 'e: 1', false, 6],
    ]);
    assert.equal(rootMaps(parsed)[0].get('a.x')!.value, 1, 'the last one wins, as in Helm');
  });

  it('treats a value ytt sets (#@ on the line or the line above, (@= @)) as generated, not empty', () => {
    const text = '#@ load("@ytt:data", "data")\n---\nhostname: #@ data.values.host\n#@overlay/replace\nexternal_url:\nport: 80\nname: (@= data.values.name @)\n#@ end\nplain: x\n';
    const view = rootMaps(parseYaml(text))[0];
    assert.equal(view.get('hostname')!.generated, true);
    assert.equal(view.get('external_url')!.generated, true);
    assert.equal(view.get('name')!.generated, true);
    assert.equal(view.get('port')!.generated, false);
    assert.equal(view.get('plain')!.generated, false, '#@ end above a key does not set it');
  });

  it('masks templates so the rest still parses, and marks templated values generated', () => {
    const text = '{% if x %}\nhostname: {{ host }}\n{% endif %}\nport: 80\n';
    const parsed = parseYaml(text);
    assert.deepEqual(parsed.errors, []);
    const view = rootMaps(parsed)[0];
    assert.equal(view.get('hostname')!.generated, true);
    assert.equal(view.get('port')!.value, 80);
  });

  it('turns syntax errors into spans and keeps the readable part', () => {
    const text = 'a: 1\nb: "unclosed\nc: 3\n';
    const parsed = parseYaml(text);
    assert.ok(parsed.errors.length > 0);
    for (const error of parsed.errors) assert.ok(error.span.start >= 0 && error.span.end <= text.length + 1);
    assert.equal(rootMaps(parsed)[0].get('a')!.value, 1);
  });

  it('survives deep nesting and garbage', () => {
    assert.doesNotThrow(() => parseYaml('['.repeat(5000)));
    assert.doesNotThrow(() => parseYaml('a:\n' + '  '.repeat(2000) + 'b: 1\n'));
    assert.doesNotThrow(() => parseYaml('\u0000\uFFFD\t: : - ? ]'));
  });
});
