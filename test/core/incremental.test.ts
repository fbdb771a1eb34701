/**
 * Reusing an analysis after an edit inside a comment (issue 11 items 8, 9):
 * wherever the shortcut applies, its result is exactly what a full analysis
 * of the new text gives, findings, fixes and related locations included, also
 * after several edits in a row. Every fixture with comment lines is tried.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateNginx, generateValues } from '../../bench/generate';
import { commentLines, contextForCompletion, reuseAfterCommentEdit } from '../../server/src/core/incremental';
import { analyzeText, buildContext, completionAt, type AnalyzeOptions, type DocumentInput } from '../../server/src/core/languageService';
import { ruleCatalog } from '../../server/src/core/rules/registry';
import { seededRandom } from '../../server/src/core/secrets';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { fixturesOf } from '../helpers/fixtures';

const files = createNodeFileAccess();
const options = (): AnalyzeOptions => ({ files, random: seededRandom(3), searchRoots: [] });

async function state(input: DocumentInput) {
  const prepared = await buildContext(input, options());
  const analysis = await analyzeText(input, options(), prepared);
  return { uri: input.uri, text: input.text, analysis, comments: commentLines(prepared.context) };
}

/** Edits inside the comment on the line of `hash`: typing at its end, after the `#`, deleting its last character, replacing a word. */
function editsAt(text: string, hash: number): string[] {
  const end = text.indexOf('\n', hash) < 0 ? text.length : text.indexOf('\n', hash);
  const edits = [text.slice(0, end) + 'x' + text.slice(end), text.slice(0, hash + 1) + ' typed' + text.slice(hash + 1)];
  if (end > hash + 1) edits.push(text.slice(0, end - 1) + text.slice(end));
  if (end > hash + 4) edits.push(text.slice(0, hash + 2) + 'word' + text.slice(hash + 4));
  return edits;
}

const inputs: DocumentInput[] = [
  { uri: 'file:///bench/nginx.conf', text: generateNginx(400).replace('http {', 'http {\n    # typing here: ') },
  { uri: 'file:///bench/values.yaml', text: '# typing here: \n' + generateValues(300) },
  {
    uri: 'file:///x/values.yaml',
    text: 'expose:\n  # a comment\n  type: ingress\nnotes: |\n  # not a comment: text of a block scalar\n  more\nharborAdminPassword: Harbor12345\n# closing remark\n',
  },
];
for (const meta of ruleCatalog) {
  for (const fixture of fixturesOf(meta.id)) {
    if (!/\.(conf|ya?ml)$/.test(fixture.path)) continue;
    const text = readFileSync(fixture.path, 'utf8');
    if (text.includes('#')) inputs.push({ uri: fixture.path, path: fixture.path, text });
  }
}

describe('the analysis after an edit in a comment', () => {
  it('equals a full analysis of the new text wherever it is reused, also after edits in a row', async () => {
    let reused = 0;
    let tried = 0;
    for (const input of inputs) {
      const before = await state(input);
      if (!before.comments) continue;
      // The first and the last comment line of each file: with the bench files, enough edits to cover the cases.
      for (const hash of new Set([before.comments[0], before.comments[before.comments.length - 1]].filter((at) => at !== undefined))) {
        for (const text of editsAt(input.text, hash)) {
          tried++;
          const result = reuseAfterCommentEdit(before, text);
          if (!result) continue;
          reused++;
          const full = await state({ ...input, text });
          assert.deepEqual(result.analysis, full.analysis, `${input.uri}: edit at ${hash}`);
          assert.deepEqual(result.comments, full.comments, `${input.uri}: comment lines after the edit at ${hash}`);
          // A second keystroke on the reused result (the generated files and the files with findings).
          if (input.path && before.analysis.findings.length === 0) continue;
          const again = editsAt(text, hash)[0];
          const second = reuseAfterCommentEdit({ uri: input.uri, text, analysis: result.analysis, comments: result.comments }, again);
          if (second) assert.deepEqual(second.analysis, (await state({ ...input, text: again })).analysis, `${input.uri}: second edit at ${hash}`);
        }
      }
    }
    assert.ok(reused > 60 && reused > tried / 3, `reused ${reused} of ${tried} edits`);
  });

  it('is not reused for a `#` line inside a block scalar, a line break, or words a check reads in comments', async () => {
    const values = await state(inputs[2]);
    const text = inputs[2].text;
    const inScalar = text.indexOf('# not a comment');
    assert.ok(!values.comments!.includes(inScalar));
    assert.equal(reuseAfterCommentEdit(values, text.replace('# not a comment', '# not a commentx')), undefined);
    assert.equal(reuseAfterCommentEdit(values, text.replace('# a comment', '# a\ncomment')), undefined);
    for (const word of ['harbor', 'harbor-audit-disable-file default-admin-password', 'chart version: 1.13.0', '@ytt', '{{ x }}']) {
      assert.equal(reuseAfterCommentEdit(values, text.replace('# closing remark', `# closing remark ${word}`)), undefined, word);
    }
    const typed = reuseAfterCommentEdit(values, text.replace('# closing remark', '# closing remarks'));
    assert.ok(typed, 'a plain word at the end of a comment is reused');
    assert.equal(typed.sameDiagnostics, true);
  });
});

describe('completion on the model of an earlier version', () => {
  it('gives what a fresh model gives after an edit within an indented line, and is not used where the edit may change the version or the values', async () => {
    const text = generateValues(300);
    const { context } = await buildContext({ uri: 'values.yaml', text });
    const lines = text.split('\n');
    let reused = 0;
    for (let line = 1; line < lines.length; line += 7) {
      const at = lines.slice(0, line).join('\n').length + 1 + lines[line].length;
      for (const typed of [' ', 'x', ':']) {
        const edited = text.slice(0, at) + typed + text.slice(at);
        const earlier = contextForCompletion(context, edited);
        if (!earlier) continue;
        reused++;
        const fresh = await completionAt({ uri: 'values.yaml', text: edited }, at + typed.length);
        assert.deepEqual(await completionAt({ uri: 'values.yaml', text: edited }, at + typed.length, {}, { context: earlier, dependencies: [] }), fresh, `line ${line}, typed "${typed}"`);
      }
    }
    assert.ok(reused > 20, `${reused} reused`);
    const withVersion = '# harbor chart version: 1.13.0\nexpose:\n  type: ingress\n';
    const { context: versioned } = await buildContext({ uri: 'values.yaml', text: withVersion });
    assert.equal(contextForCompletion(versioned, withVersion.replace('1.13.0', '1.10.0')), undefined);
    assert.equal(contextForCompletion(versioned, withVersion.replace('expose:', 'harbor:')), undefined);
    assert.equal(contextForCompletion(versioned, withVersion.replace('  type: ingress\n', '  type: ingress\n  tls:\n')), undefined, 'a new line');
  });
});
