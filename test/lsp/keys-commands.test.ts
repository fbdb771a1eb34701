/** "Compare Key and Certificate" and "Find Key by Key ID" over workspace/executeCommand, as an editor calls them. */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TestLspClient } from '../helpers/lspClient';
import { opensslAvailable, Workdir } from '../pki/material';

interface Compare {
  match: boolean | null;
  reason: string;
  key: { type: string; bits?: number; keyId: string; thumbprint: string } | null;
  certificate: { subject: string; sans: string[]; keyId: string } | null;
  problems: string[];
}

describe('key commands over the language server', { skip: !opensslAvailable() && 'openssl is not installed' }, () => {
  let w: Workdir;
  let client: TestLspClient;
  before(async () => {
    w = new Workdir();
    w.openssl('genrsa', '-traditional', '-out', 'a.key', '2048');
    w.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'b.key');
    w.openssl('req', '-new', '-x509', '-key', 'a.key', '-subj', '/CN=harbor.example.com', '-addext', 'subjectAltName=DNS:harbor.example.com', '-days', '30', '-out', 'a.crt');
    mkdirSync(w.path('node-b/common/config/core'), { recursive: true });
    w.write('node-b/common/config/core/private_key.pem', w.read('b.key'));
    client = new TestLspClient({ workspace: w.dir, pull: true });
    const init = (await client.initialize()) as { capabilities: { executeCommandProvider: { commands: string[] } } };
    assert.ok(init.capabilities.executeCommandProvider.commands.includes('harborAudit.compareKeyAndCertificate'));
    assert.ok(init.capabilities.executeCommandProvider.commands.includes('harborAudit.findKeyById'));
  });
  after(async () => {
    await client.shutdown();
    w.cleanup();
  });

  const exec = (command: string, args: unknown[]) => client.connection.sendRequest('workspace/executeCommand', { command, arguments: args });

  it('compares a matching pair given as file URIs', async () => {
    const result = (await exec('harborAudit.compareKeyAndCertificate', [pathToFileURL(w.path('a.key')).toString(), pathToFileURL(w.path('a.crt')).toString()])) as Compare;
    assert.equal(result.match, true);
    assert.equal(result.key?.type, 'rsa');
    assert.equal(result.key?.bits, 2048);
    assert.equal(result.key?.keyId, result.certificate?.keyId);
    assert.deepEqual(result.certificate?.sans, ['harbor.example.com']);
    assert.doesNotMatch(JSON.stringify(result), /PRIVATE KEY|MII/);
  });

  it('reports a mismatch with both key types, and no verdict for an unreadable file', async () => {
    const mismatch = (await exec('harborAudit.compareKeyAndCertificate', [w.path('b.key'), w.path('a.crt')])) as Compare;
    assert.equal(mismatch.match, false);
    assert.match(mismatch.reason, /EC P-256/);
    const missing = (await exec('harborAudit.compareKeyAndCertificate', [w.path('nope.key'), w.path('a.crt')])) as Compare;
    assert.equal(missing.match, null);
    assert.match(missing.reason, /does not exist/);
  });

  it('finds the workspace key behind a key ID pasted from a registry log', async () => {
    const ids = (await exec('harborAudit.compareKeyAndCertificate', [w.path('b.key'), w.path('a.crt')])) as Compare;
    const line = `token signed by untrusted key with ID: "${ids.key!.keyId}"`;
    const found = (await exec('harborAudit.findKeyById', [line])) as { ids: string[]; matches: { file: string; keyId: string }[] };
    assert.deepEqual(found.ids, [ids.key!.keyId]);
    assert.deepEqual(found.matches.map((m) => m.file).sort(), [w.path('b.key'), w.path('node-b/common/config/core/private_key.pem')].sort());
    const nothing = (await exec('harborAudit.findKeyById', ['no key id in this line'])) as { ids: string[]; matches: unknown[] };
    assert.deepEqual(nothing, { ids: [], matches: [], searched: 0 });
  });

  it('keeps the rule commands working', async () => {
    await assert.rejects(exec('harborAudit.showRuleDocs', ['no-such-rule']), /unknown rule/);
  });
});
