/**
 * An untrusted workspace stays confined: no file outside it is read, stat'ed or
 * listed, whether named by an absolute path, reached through a symlink inside
 * the workspace, or matched by an include glob. Checked three ways: the node
 * FileAccess directly, the fs calls it makes (recorded in-process), and every
 * file-system syscall of the language server (strace, where it exists).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, promises as fsp, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { analyzeText } from '../../server/src/core/languageService';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { findKeyById, identifyFile } from '../../server/src/node/keyTools';
import { fixturesRoot } from '../helpers/fixtures';
import { TestLspClient } from '../helpers/lspClient';

const KEY = join(fixturesRoot, 'token-key-differs-between-nodes', 'mismatched-data', 'secret', 'core', 'private_key.pem');
const CERT = join(fixturesRoot, 'token-key-differs-between-nodes', 'mismatched-data', 'secret', 'registry', 'root.crt');

/** base/outside holds what must stay unread; base/ws is the untrusted workspace, full of ways out. */
function layout() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'ha-confine-')));
  const outside = join(base, 'outside');
  const ws = join(base, 'ws');
  mkdirSync(join(outside, 'conf.d'), { recursive: true });
  mkdirSync(join(outside, 'node2'), { recursive: true });
  mkdirSync(join(ws, 'certs'), { recursive: true });
  copyFileSync(KEY, join(outside, 'private_key.pem'));
  copyFileSync(CERT, join(outside, 'root.crt'));
  writeFileSync(join(outside, 'conf.d', 'upstream.conf'), 'upstream harbor { server 10.0.0.1:8080; }\n');
  writeFileSync(join(outside, 'node2', 'harbor.yml'), 'hostname: node2.example.com\n');
  // Ways out: a file symlink, a folder symlink, an absolute symlink, a chain that ends outside, a loop.
  symlinkSync('../outside/private_key.pem', join(ws, 'key-link.pem'));
  symlinkSync('../outside/conf.d', join(ws, 'conf.d'));
  symlinkSync(join(outside, 'root.crt'), join(ws, 'certs', 'abs-link.crt'));
  symlinkSync('hop2', join(ws, 'hop1'));
  symlinkSync('../outside', join(ws, 'hop2'));
  symlinkSync('loop-b', join(ws, 'loop-a'));
  symlinkSync('loop-a', join(ws, 'loop-b'));
  // A symlink that stays inside is followed.
  copyFileSync(CERT, join(ws, 'certs', 'real.crt'));
  symlinkSync('real.crt', join(ws, 'certs', 'inside-link.crt'));
  const nginx = [
    `include ${outside}/conf.d/*.conf;`,
    'include conf.d/*.conf;',
    'include hop1/conf.d/*.conf;',
    'server {',
    '    listen 443 ssl;',
    '    server_name harbor.example.com;',
    '    ssl_certificate certs/abs-link.crt;',
    '    ssl_certificate_key key-link.pem;',
    '    location / { proxy_pass http://harbor; }',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(ws, 'nginx.conf'), nginx);
  const harborYml = [
    'hostname: harbor.example.com',
    'https:',
    '  port: 443',
    `  certificate: ${outside}/root.crt`,
    '  private_key: key-link.pem',
    'harbor_admin_password: Harbor12345',
    'data_volume: /data',
    '',
  ].join('\n');
  writeFileSync(join(ws, 'harbor.yml'), harborYml);
  return { base, outside, ws, nginx, harborYml };
}

const within = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

describe('untrusted workspace: the node FileAccess', () => {
  let l: ReturnType<typeof layout>;
  before(() => (l = layout()));
  after(() => rmSync(l.base, { recursive: true, force: true }));

  // The server's asynchronous calls and the CLI's synchronous ones (fsOps.ts) confine alike.
  for (const [synchronous, mode] of [[false, ''], [true, ' (synchronous calls, as the CLI makes them)']] as const) {
    it(`refuses every symlink whose target is outside, and follows those that stay inside${mode}`, async () => {
      const files = createNodeFileAccess({ allowedRoots: [l.ws], synchronous });
      for (const path of ['key-link.pem', 'conf.d/upstream.conf', 'certs/abs-link.crt', 'hop1/root.crt', 'hop1/conf.d/upstream.conf', join('..', 'outside', 'root.crt')]) {
        const read = await files.readFile(join(l.ws, path), { maxBytes: 1 << 20 });
        assert.equal(read.ok ? 'read' : read.problem, 'outside-workspace', path);
      }
      const loop = await files.readFile(join(l.ws, 'loop-a'), { maxBytes: 1 << 20 });
      assert.equal(loop.ok, false, 'a symlink loop is given up on');
      const inside = await files.readFile(join(l.ws, 'certs', 'inside-link.crt'), { maxBytes: 1 << 20 });
      assert.ok(inside.ok, 'a symlink inside the workspace is followed');
    });

    it(`lists and globs nothing outside, through absolute patterns or symlinked folders${mode}`, async () => {
      const files = createNodeFileAccess({ allowedRoots: [l.ws], synchronous });
      assert.deepEqual(await files.glob(join(l.outside, 'conf.d', '*.conf')), []);
      assert.deepEqual(await files.glob(join(l.ws, 'conf.d', '*.conf')), []);
      assert.deepEqual(await files.glob(join(l.ws, 'hop1', '*', '*.conf')), []);
      assert.deepEqual(await files.glob(join(l.base, '*', 'harbor.yml')), [], 'the sibling-install search does not list the parent');
      assert.equal(await files.listDirectory!(l.outside), undefined);
      assert.equal(await files.listDirectory!(join(l.ws, 'conf.d')), undefined);
      assert.ok((await files.listDirectory!(join(l.ws, 'certs')))?.some((entry) => entry.name === 'real.crt'));
    });

    it(`a trusted workspace follows the same symlinks${mode}`, async () => {
      const files = createNodeFileAccess({ synchronous });
      assert.ok((await files.readFile(join(l.ws, 'key-link.pem'), { maxBytes: 1 << 20 })).ok);
      assert.deepEqual(await files.glob(join(l.ws, 'conf.d', '*.conf')), [join(l.ws, 'conf.d', 'upstream.conf')]);
    });

  }

  it('makes no fs call on a path outside while analysing, hovering and searching for keys', async () => {
    const keyId = await outsideKeyId(l.outside);
    const calls: string[] = [];
    const methods = ['lstat', 'stat', 'readdir', 'open', 'readlink', 'realpath', 'readFile', 'opendir', 'access'] as const;
    const originals = new Map<string, unknown>();
    for (const name of methods) {
      const original = (fsp as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
      originals.set(name, original);
      (fsp as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
        if (typeof args[0] === 'string') calls.push(`${name} ${args[0]}`);
        return original.apply(this, args);
      };
    }
    try {
      const files = createNodeFileAccess({ allowedRoots: [l.ws] });
      await analyzeText({ uri: join(l.ws, 'nginx.conf'), path: join(l.ws, 'nginx.conf'), text: l.nginx }, { files });
      await analyzeText({ uri: join(l.ws, 'harbor.yml'), path: join(l.ws, 'harbor.yml'), text: l.harborYml }, { files });
      const found = await findKeyById(files, keyId, [l.ws]);
      assert.deepEqual(found.matches, [], 'the key behind a symlink is not found');
      const direct = await findKeyById(files, keyId, [l.outside]);
      assert.deepEqual(direct.matches, []);
      assert.equal(direct.searched, 0, 'not even the number of key files outside is learnt');
    } finally {
      for (const [name, original] of originals) (fsp as unknown as Record<string, unknown>)[name] = original;
    }
    assert.ok(calls.length > 0, 'the recorder saw the analysis');
    const escaped = calls.filter((call) => {
      const path = call.slice(call.indexOf(' ') + 1);
      return within(l.base, path) && !within(l.ws, path);
    });
    assert.deepEqual(escaped, []);
  });
});

async function outsideKeyId(outside: string): Promise<string> {
  const identified = await identifyFile(createNodeFileAccess(), join(outside, 'private_key.pem'));
  assert.ok(identified.ok);
  const id = identified.objects.find((object) => object.keyId)?.keyId;
  assert.ok(id);
  return id;
}

const strace = spawnSync('strace', ['-V'], { encoding: 'utf8' }).status === 0;

describe('untrusted workspace: every syscall of the language server', { skip: !strace && 'strace is not installed' }, () => {
  let l: ReturnType<typeof layout>;
  let log: string;
  let client: TestLspClient;
  before(async () => {
    l = layout();
    log = join(l.base, '..', `${l.base.split('/').pop()}.strace`);
    client = new TestLspClient({
      workspace: l.ws,
      pull: true,
      trusted: false,
      wrapper: ['strace', '-f', '-qq', '-e', 'trace=%file,getdents64,%desc', '-o', log],
    });
    await client.initialize();
  });
  after(async () => {
    await client.shutdown();
    rmSync(l.base, { recursive: true, force: true });
    rmSync(log, { force: true });
  });

  it('opens, hovers, runs Find Key by Key ID and explains a log without touching a path outside', async () => {
    const nginxUri = client.open(join(l.ws, 'nginx.conf'), l.nginx);
    const ymlUri = client.open(join(l.ws, 'harbor.yml'), l.harborYml);
    await client.pull(nginxUri);
    await client.pull(ymlUri);
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: nginxUri }, position: { line: 0, character: 3 } });
    await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: ymlUri }, position: { line: 3, character: 8 } });
    const keyId = await outsideKeyId(l.outside);
    const found = (await client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.findKeyById', arguments: [keyId] })) as { matches: unknown[] };
    assert.deepEqual(found.matches, []);
    const direct = (await client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.findKeyById', arguments: [keyId, l.outside] })) as { matches: unknown[]; searched: number };
    assert.deepEqual(direct.matches, []);
    assert.equal(direct.searched, 0);
    // Explain Log and a log document join with the workspace's findings and key files: the same confinement.
    const logLine = `registry | time="2025-10-29T15:38:26Z" level=info msg="token signed by untrusted key with ID: \\"${keyId}\\""`;
    const explained = (await client.connection.sendRequest('workspace/executeCommand', { command: 'harborAudit.explainLogText', arguments: [{ text: `${logLine}\n${logLine}\n` }] })) as { markdown: string; incidents: number };
    assert.equal(explained.incidents, 1);
    assert.ok(!explained.markdown.includes(l.outside), 'no key file outside the workspace is named');
    const logUri = client.open(join(l.ws, 'registry.log'), `${logLine}\n`, 'log');
    assert.equal((await client.pull(logUri)).length, 1);
    await client.shutdown();

    const lines = readFileSync(log, 'utf8').split('\n');
    assert.ok(lines.some((line) => line.includes(join(l.ws, 'nginx.conf')) || line.includes(l.ws)), 'strace saw the workspace');
    // The first quoted argument is the path a syscall acts on (readlink's second one is the link's text, not an access).
    const escaped = lines.filter((line) => {
      const path = /^\d+\s+\w+\((?:AT_FDCWD, )?"([^"]*)"/.exec(line)?.[1];
      return path !== undefined && within(l.base, path) && !within(l.ws, path);
    });
    assert.deepEqual(escaped, []);
  });
});
