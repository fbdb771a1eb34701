/** Harbor: Audit Workspace on the server side: files never opened get their findings, progress, cancel, the automatic run's limit. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { AuditWorkspaceResult } from '../../server/src/lsp/server';
import { AUTO_AUDIT_MAX_FILES } from '../../server/src/lsp/server';
import { TestLspClient } from '../helpers/lspClient';
import { FRONT_PROXY_NO_LIMIT, VALUES_DEFAULT_PASSWORD } from '../helpers/samples';

describe('workspace audit (harborAudit/auditWorkspace)', () => {
  let workspace: string;
  let client: TestLspClient;
  const progress: { done: number; total: number }[] = [];
  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'harbor-audit-ws-'));
    mkdirSync(join(workspace, 'deploy', 'registry'), { recursive: true });
    mkdirSync(join(workspace, 'deploy', 'proxy'), { recursive: true });
    writeFileSync(join(workspace, 'deploy', 'registry', 'prod.yaml'), VALUES_DEFAULT_PASSWORD);
    writeFileSync(join(workspace, 'deploy', 'proxy', 'harbor.conf'), FRONT_PROXY_NO_LIMIT);
    writeFileSync(join(workspace, 'unrelated.yaml'), 'kind: ConfigMap\n');
    client = new TestLspClient({ workspace, pull: true });
    client.connection.onNotification('harborAudit/auditProgress', (params: { done: number; total: number }) => {
      progress.push(params);
    });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('publishes findings for files that were never opened, and reports counts', async () => {
    const values = pathToFileURL(join(workspace, 'deploy', 'registry', 'prod.yaml')).toString();
    const proxy = pathToFileURL(join(workspace, 'deploy', 'proxy', 'harbor.conf')).toString();
    const result = (await client.connection.sendRequest('harborAudit/auditWorkspace', {})) as AuditWorkspaceResult;
    assert.equal(result.cancelled, false);
    assert.equal(result.candidates, 3);
    assert.equal(result.checked, 3);
    assert.equal(result.harborFiles, 2);
    assert.ok(result.findings >= 2, JSON.stringify(result));
    assert.ok((await client.waitForDiagnostics(values, (d) => d.length > 0)).some((d) => d.code === 'default-admin-password'));
    assert.ok((await client.waitForDiagnostics(proxy, (d) => d.length > 0)).some((d) => d.code === 'proxy-body-size'));
    assert.equal(client.published.has(pathToFileURL(join(workspace, 'unrelated.yaml')).toString()), false, 'nothing is published for a file that is not a Harbor config');
    assert.deepEqual(progress.at(-1), { done: 3, total: 3 });
  });

  it('hands a file over to its own diagnostics when it opens, and back when it closes', async () => {
    const path = join(workspace, 'deploy', 'registry', 'prod.yaml');
    const uri = client.open(path, VALUES_DEFAULT_PASSWORD);
    await client.waitForDiagnostics(uri, (d) => d.length === 0);
    assert.ok((await client.pull(uri)).some((d) => d.code === 'default-admin-password'));
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'default-admin-password'));
  });

  it('stops when cancelled', async () => {
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest('harborAudit/auditWorkspace', {}, source.token);
    source.cancel();
    const outcome = await pending.then(
      (result) => (result as AuditWorkspaceResult).cancelled,
      () => true, // a cancelled request may also answer with RequestCancelled
    );
    assert.equal(outcome, true);
  });

  it('the automatic run does not start in a workspace above the size limit', async () => {
    const many = join(workspace, 'many');
    mkdirSync(many);
    for (let i = 0; i <= AUTO_AUDIT_MAX_FILES; i++) writeFileSync(join(many, `f${i}.conf`), '');
    const result = (await client.connection.sendRequest('harborAudit/auditWorkspace', { automatic: true })) as AuditWorkspaceResult;
    assert.equal(result.checked, 0);
    assert.match(result.skipped ?? '', /over 2000/);
    rmSync(many, { recursive: true, force: true });
  });
});
