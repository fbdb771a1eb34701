import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anchorMappings, mapPath, pickCandidate, readLocated } from '../../server/src/core/pathMapping';
import { parseSettingsFile, mergeSettings } from '../../server/src/core/settings';
import type { FileAccess } from '../../server/src/core/types';

function memoryFiles(files: Record<string, string>): FileAccess {
  return {
    async readFile(path) {
      return path in files ? { ok: true, path, bytes: new TextEncoder().encode(files[path]) } : { ok: false, path, problem: 'missing', message: 'the file does not exist' };
    },
    async glob() {
      return [];
    },
    async findByName(name, roots) {
      return Object.keys(files).filter((path) => path.endsWith(`/${name}`) && roots.some((root) => path.startsWith(`${root}/`)));
    },
  };
}

describe('paths: mappings', () => {
  it('anchors relative targets at the settings folder and refuses relative sources', () => {
    const { mappings, problems } = anchorMappings({ '/data/cert/': './certs', '/etc/nginx/ssl': '/srv/ssl', 'cert': 'x' }, '/ws');
    assert.deepEqual(mappings, [
      { from: '/data/cert', to: '/ws/certs' },
      { from: '/etc/nginx/ssl', to: '/srv/ssl' },
    ]);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /must be absolute/);
  });

  it('maps by the longest folder prefix, never by a partial name, and the later of two equal mappings wins', () => {
    const mappings = [
      { from: '/data', to: '/ws/data' },
      { from: '/data/cert', to: '/ws/certs' },
      { from: '/data/cert', to: '/ws/override' },
    ];
    assert.equal(mapPath('/data/cert/server.crt', mappings), '/ws/override/server.crt');
    assert.equal(mapPath('/data/secret/key.pem', mappings), '/ws/data/secret/key.pem');
    assert.equal(mapPath('/data-old/server.crt', mappings), undefined);
    assert.equal(mapPath('/data/cert', [{ from: '/data/cert', to: '/ws/one.crt' }]), '/ws/one.crt');
  });

  it('reads paths: from .harbor-audit.yaml relative to its folder, and reports bad shapes', () => {
    const { settings, problems } = parseSettingsFile('paths:\n  /data/cert: ./certs\n', '/repo');
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.paths, [{ from: '/data/cert', to: '/repo/certs' }]);
    assert.match(parseSettingsFile('paths: [a]\n', '/repo').problems[0].message, /`paths` must map/);
    assert.deepEqual(mergeSettings({ paths: [{ from: '/a', to: '/b' }] }, { rules: {} }, { paths: [{ from: '/a', to: '/c' }] }).paths, [
      { from: '/a', to: '/b' },
      { from: '/a', to: '/c' },
    ]);
  });
});

describe('finding a host path by name', () => {
  it('takes the candidate nearest the document, then the longest common tail', () => {
    const doc = '/ws/site-a';
    assert.deepEqual(pickCandidate('/data/cert/server.crt', ['/ws/site-a/certs/server.crt', '/ws/site-b/server.crt'], doc), { path: '/ws/site-a/certs/server.crt', ambiguous: [] });
    assert.deepEqual(pickCandidate('/data/cert/server.crt', ['/ws/x/cert/server.crt', '/ws/y/server.crt'], '/ws'), { path: '/ws/x/cert/server.crt', ambiguous: [] });
    assert.deepEqual(pickCandidate('/data/cert/server.crt', ['/ws/x/server.crt', '/ws/y/server.crt'], '/ws').ambiguous, ['/ws/x/server.crt', '/ws/y/server.crt']);
    assert.deepEqual(pickCandidate('/data/cert/server.crt', [], '/ws'), { ambiguous: [] });
  });

  it('reads a mapping first, then the path, then the one file of that name', async () => {
    const files = memoryFiles({ '/ws/certs/a.crt': 'mapped', '/ws/deep/cert/b.crt': 'found', '/etc/ssl/c.crt': 'here', '/ws/one/d.crt': '1', '/ws/two/d.crt': '2' });
    const env = { files, mappings: [{ from: '/data/cert', to: '/ws/certs' }], searchRoots: ['/ws'], documentDir: '/ws' };
    const mapped = await readLocated(env, '/data/cert/a.crt', '/data/cert/a.crt', 1000);
    assert.deepEqual([mapped.ok, mapped.path, mapped.via], [true, '/ws/certs/a.crt', 'mapping']);
    const mappedMissing = await readLocated(env, '/data/cert/b.crt', '/data/cert/b.crt', 1000);
    assert.deepEqual([mappedMissing.ok, mappedMissing.path], [false, '/ws/certs/b.crt'], 'a mapping is not second-guessed by a search');
    const direct = await readLocated(env, '/etc/ssl/c.crt', '/etc/ssl/c.crt', 1000);
    assert.deepEqual([direct.ok, direct.via], [true, 'as-written']);
    const found = await readLocated(env, '/opt/harbor/cert/b.crt', '/opt/harbor/cert/b.crt', 1000);
    assert.deepEqual([found.ok, found.path, found.via], [true, '/ws/deep/cert/b.crt', 'search']);
    const ambiguous = await readLocated(env, '/srv/d.crt', '/srv/d.crt', 1000);
    assert.equal(ambiguous.ok, false);
    assert.deepEqual(!ambiguous.ok && ambiguous.candidates, ['/ws/one/d.crt', '/ws/two/d.crt']);
    const relative = await readLocated(env, '/ws/sub/b.crt', 'sub/b.crt', 1000);
    assert.equal(relative.ok, false, 'only an absolute path is looked up by name');
  });
});
