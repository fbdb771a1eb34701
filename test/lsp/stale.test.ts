/**
 * An edit that arrives while an analysis waits on the file system must not
 * leave the older text's findings filed under the newer version. The server
 * runs in this process, over in-memory streams, with a FileAccess that holds
 * every read until the test lets it go.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import type { FileAccess } from '../../server/src/core/types';
import { startServer } from '../../server/src/lsp/server';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { FRONT_PROXY_NO_LIMIT } from '../helpers/samples';

/**
 * Holds the next read (or listing) the server starts until the test lets it go:
 * `started` resolves when the server is waiting on it. Other reads pass straight
 * through, so a round costs one held read, not a delay on every read.
 */
class GatedFileAccess implements FileAccess {
  private readonly inner = createNodeFileAccess();
  private held: { started: () => void; released: Promise<void> } | undefined;
  holdNextRead(): { started: Promise<void>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (this.held = { started: resolve, released }));
    return { started, release };
  }
  private async gate(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    held.started();
    await held.released;
  }
  async readFile(path: string, options: { maxBytes: number }) {
    await this.gate();
    return this.inner.readFile(path, options);
  }
  async glob(pattern: string) {
    await this.gate();
    return this.inner.glob(pattern);
  }
}

function startInProcess(files: FileAccess, logs: string[]): MessageConnection {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const serverConnection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(serverConnection, { docsRoot: tmpdir(), createFileAccess: () => files });
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  client.onNotification('window/logMessage', (params: { message: string }) => void logs.push(params.message));
  client.onNotification(() => undefined);
  client.listen();
  return client;
}

describe('no stale diagnostics', { timeout: 120000 }, () => {
  let workspace: string;
  let client: MessageConnection;
  const files = new GatedFileAccess();
  const logs: string[] = [];
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-stale-'));
    writeFileSync(join(workspace, 'extra.conf'), '# included\n');
    client = startInProcess(files, logs);
    await client.sendRequest('initialize', {
      processId: null,
      rootUri: pathToFileURL(workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'ws' }],
      capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } } },
      initializationOptions: { trusted: true },
    });
    await client.sendNotification('initialized', {});
  });
  after(() => {
    client.dispose();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('an edit during the first analysis: the next pull reports the new text, 100 rounds', async () => {
    const withInclude = FRONT_PROXY_NO_LIMIT.replace('    location / {', '    include extra.conf;\n    location / {');
    const unlimited = withInclude.replace('    location / {', '    client_max_body_size 0;\n    location / {');
    const ids = (items: Diagnostic[]) => items.map((d) => d.code);
    const pull = async (uri: string) => ((await client.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] }).items;
    for (let round = 0; round < 100; round++) {
      const uri = pathToFileURL(join(workspace, `nginx-${round}.conf`)).toString();
      const read = files.holdNextRead();
      await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: withInclude } });
      const first = pull(uri);
      await read.started;
      await client.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: unlimited }] });
      // The read of version 1's analysis ends only once the server has had time to take the edit in.
      setTimeout(read.release, 15);
      await first.catch(() => undefined);
      assert.deepEqual(ids(await pull(uri)), [], `round ${round}: the findings of version 1 were reported for version 2`);
      await client.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }
  });

  it('settings that change while an analysis waits: the next pull uses the new ones', async () => {
    const withInclude = FRONT_PROXY_NO_LIMIT.replace('    location / {', '    include extra.conf;\n    location / {');
    const settingsFile = join(workspace, '.harbor-audit.yaml');
    const pull = async (uri: string) => ((await client.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Diagnostic[] }).items.map((d) => d.code);
    try {
      for (let round = 0; round < 10; round++) {
        writeFileSync(settingsFile, 'rules: {}\n');
        await client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(settingsFile).toString(), type: 2 }] });
        const uri = pathToFileURL(join(workspace, `settings-${round}.conf`)).toString();
        // Once the server has read the settings file again, the finding is there with rules: {} (and the next held read is the include's).
        const probe = pathToFileURL(join(workspace, `probe-${round}.conf`)).toString();
        await client.sendNotification('textDocument/didOpen', { textDocument: { uri: probe, languageId: 'nginx', version: 1, text: withInclude } });
        assert.deepEqual(await pull(probe), ['proxy-body-size']);
        await client.sendNotification('textDocument/didClose', { textDocument: { uri: probe } });
        const read = files.holdNextRead();
        await client.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: withInclude } });
        const first = pull(uri);
        await read.started; // the analysis with proxy-body-size on waits on extra.conf
        writeFileSync(settingsFile, 'rules:\n  proxy-body-size: "off"\n');
        await client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(settingsFile).toString(), type: 2 }] });
        // The server reads the settings file again before the held read ends.
        setTimeout(read.release, 100);
        await first.catch(() => undefined);
        const again = await pull(uri);
        assert.ok(!again.includes('proxy-body-size'), `round ${round}: the analysis made with the old settings was kept`);
        await client.sendNotification('textDocument/didClose', { textDocument: { uri } });
      }
    } finally {
      rmSync(settingsFile, { force: true });
      await client.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(settingsFile).toString(), type: 3 }] });
    }
  });
});
