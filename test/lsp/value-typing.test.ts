/**
 * Typing in values of a values file over stdio (issue 11 item 9): after every
 * keystroke, the pulled diagnostics are those of the same text opened fresh.
 * The typing server builds each version's model from the one before (a value
 * or key edited: in place, or copied when a hover read the model too); a
 * second server opens each text anew.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { generateValues } from '../../bench/generate';
import { TestLspClient } from '../helpers/lspClient';

/** One keystroke: `text` typed over `range` (a character typed, or deleted with an empty text). */
interface Keystroke {
  range: Range;
  text: string;
}

const at = (line: number, character: number, length = 0): Range => ({ start: { line, character }, end: { line, character: character + length } });

describe('typing in values over stdio', () => {
  let workspace: string;
  let typing: TestLspClient;
  let fresh: TestLspClient;
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-typing-'));
    typing = new TestLspClient({ workspace, pull: true });
    fresh = new TestLspClient({ workspace, pull: true });
    await Promise.all([typing.initialize(), fresh.initialize()]);
  });
  after(async () => {
    await Promise.all([typing.shutdown(), fresh.shutdown()]);
    rmSync(workspace, { recursive: true, force: true });
  });

  it('gets after each keystroke the diagnostics of the text opened fresh', async () => {
    const text = generateValues(400);
    const lines = text.split('\n');
    const line = (prefix: string) => lines.findIndex((content) => content.startsWith(prefix));
    const password = line('harborAdminPassword:');
    const url = line('externalURL:');
    const replicas = line('  replicas:');
    const secret = line('  secret: ""');
    const keystrokes: (Keystroke | 'pull' | 'hover')[] = [
      // The default password, typed away and back.
      { range: at(password, lines[password].length), text: 'x' },
      'pull',
      { range: at(password, lines[password].length, 1), text: '' },
      'pull',
      // https → http and back: the external URL's scheme.
      { range: at(url, 'externalURL: http'.length, 1), text: '' },
      'pull',
      { range: at(url, 'externalURL: http'.length), text: 's' },
      'pull',
      // A key renamed and back (unknown-key), a quoted value filled in, a value that becomes a boolean.
      { range: at(replicas, '  replicas'.length), text: 'x' },
      'pull',
      { range: at(replicas, '  replicas'.length, 1), text: '' },
      { range: at(secret, '  secret: "'.length), text: 'a' },
      { range: at(secret, '  secret: "a'.length), text: 'b' },
      'pull',
      // A hover reads the model of this version too: the next one is built from a copy of it.
      'hover',
      { range: at(replicas, '  replicas: '.length, 1), text: 'true' },
      'pull',
      // Structure: a second key on the line is no edit inside a value (the model is parsed again).
      { range: at(replicas, '  replicas: true'.length), text: ': 1' },
      'pull',
    ];
    const path = join(workspace, 'values.yaml');
    writeFileSync(path, text);
    const uri = typing.open(path, text);
    const document = TextDocument.create(uri, 'yaml', 1, text);
    let previous = await typing.pullReport(uri);
    let shown = previous.kind === 'full' ? previous.items : [];
    let version = 1;
    let pulls = 0;
    let changed = 0;
    for (const keystroke of keystrokes) {
      if (keystroke === 'hover') {
        await typing.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: password, character: 'harborAdminPassword: '.length + 2 } });
        continue;
      }
      if (keystroke !== 'pull') {
        version++;
        TextDocument.update(document, [keystroke], version);
        void typing.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [keystroke] });
        continue;
      }
      // As VS Code pulls: with the previous result id ("unchanged" keeps what is shown).
      const report = await typing.pullReport(uri, previous.resultId);
      const before = shown;
      if (report.kind === 'full') shown = report.items;
      previous = report;
      pulls++;
      if (JSON.stringify(shown) !== JSON.stringify(before)) changed++;
      assert.deepEqual(shown, await openedFresh(fresh, uri, document.getText()), `after keystroke ${version - 1}: ${document.getText().split('\n').slice(0, 16).join('\n')}`);
    }
    assert.equal(pulls, 8);
    assert.ok(changed >= 5, `the findings changed at ${changed} of ${pulls} pulls`);
  });
});

/** The diagnostics of `text` opened in a server that has not seen this document before (closed first when it has). */
async function openedFresh(client: TestLspClient, uri: string, text: string): Promise<Diagnostic[]> {
  await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  return client.pull(uri);
}
