/** Which workspace nginx.conf includes a conf.d/sites file (issue 10 item 7). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findIncluder, includeMatches, isHttpFragment } from '../../server/src/core/nginx/includers';
import { buildNginxModel, effectiveDirective } from '../../server/src/core/nginx/model';
import { parseNginx } from '../../server/src/core/nginx/parser';
import type { FileAccess } from '../../server/src/core/types';

describe('includeMatches', () => {
  const includer = '/ws/proxy/nginx.conf';
  it('resolves a relative pattern against the includer folder', () => {
    assert.equal(includeMatches('conf.d/*.conf', includer, '/ws/proxy/conf.d/harbor.conf'), true);
    assert.equal(includeMatches('conf.d/*.conf', includer, '/ws/other/conf.d/harbor.conf'), false);
    assert.equal(includeMatches('conf.d/*.conf', includer, '/ws/proxy/conf.d/harbor.yaml'), false);
  });
  it('matches the tail of a host path below the includer folder, keeping folder and name', () => {
    assert.equal(includeMatches('/etc/nginx/conf.d/*.conf', includer, '/ws/proxy/conf.d/harbor.conf'), true);
    assert.equal(includeMatches('/etc/nginx/conf.d/*.conf', includer, '/ws/proxy/harbor.conf'), false, 'the folder must match too');
    assert.equal(includeMatches('/etc/nginx/conf.d/harbor-[ab].conf', includer, '/ws/proxy/conf.d/harbor-a.conf'), true);
    assert.equal(includeMatches('/etc/nginx/conf.d/harbor?.conf', includer, '/ws/proxy/conf.d/harbor12.conf'), false);
  });
  it('lets sites-enabled stand for sites-available (Debian enables sites by symlink)', () => {
    assert.equal(includeMatches('/etc/nginx/sites-enabled/*', includer, '/ws/proxy/sites-available/harbor'), true);
    assert.equal(includeMatches('sites-enabled/*', includer, '/ws/proxy/sites-enabled/harbor'), true);
  });
  it('survives junk patterns', () => {
    assert.equal(includeMatches('/[z-a]/*', includer, '/ws/proxy/x/y'), false);
    assert.equal(includeMatches('', includer, '/ws/proxy/conf.d/a.conf'), false);
  });
});

describe('findIncluder', () => {
  const texts: Record<string, string> = {
    '/ws/a/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/mime.types;\n}\n',
    '/ws/b/nginx.conf': 'events {}\nhttp {\n    proxy_http_version 1.1;\n    include conf.d/*.conf;\n}\n',
  };
  const reads: string[] = [];
  const files: FileAccess = {
    async readFile(path) {
      reads.push(path);
      return path in texts ? { ok: true, path, bytes: Buffer.from(texts[path]) } : { ok: false, path, problem: 'missing', message: 'missing' };
    },
    async glob() {
      return [];
    },
    async findByName(name, roots) {
      return Object.keys(texts).filter((path) => path.endsWith(`/${name}`) && roots.some((root) => path.startsWith(`${root}/`)));
    },
  };
  const fragment = 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    location / { proxy_pass http://harbor; proxy_request_buffering off; }\n}\n';

  it('finds the nginx.conf whose http {} includes the file, and its servers inherit from it', async () => {
    const parsed = parseNginx(fragment, '/ws/b/conf.d/harbor.conf');
    assert.equal(isHttpFragment(parsed), true);
    const includer = await findIncluder('/ws/b/conf.d/harbor.conf', files, ['/ws']);
    assert.equal(includer?.file.path, '/ws/b/nginx.conf');
    assert.equal(includer?.include.args[0].value, 'conf.d/*.conf');
    const model = await buildNginxModel(parsed, files, '/ws/b/conf.d/harbor.conf', includer);
    assert.equal(effectiveDirective(model.servers[0].scope, 'proxy_http_version')?.args[0].value, '1.1');
  });

  it('finds nothing outside the search roots or without a name search', async () => {
    assert.equal(await findIncluder('/ws/b/conf.d/harbor.conf', files, ['/elsewhere']), undefined);
    assert.equal(await findIncluder('/ws/b/conf.d/harbor.conf', { ...files, findByName: undefined }, ['/ws']), undefined);
    assert.equal(await findIncluder('/ws/c/conf.d/harbor.conf', files, ['/ws']), undefined);
  });

  it('reads only the nginx.conf files near the fragment, not every one in a large workspace', async () => {
    const far = '/ws/aa/proxy/nginx.conf'; // sorts before /ws/b: the old search read it first
    const withFar: FileAccess = {
      ...files,
      async findByName(name, roots) {
        return [far, ...(await files.findByName!(name, roots))].sort();
      },
    };
    reads.length = 0;
    assert.equal((await findIncluder('/ws/b/conf.d/harbor.conf', withFar, ['/ws']))?.file.path, '/ws/b/nginx.conf');
    assert.equal(reads.includes(far), false, `${far} cannot include /ws/b/conf.d/*, even with ../`);
    reads.length = 0;
    assert.equal(await findIncluder('/ws/aa/conf.d/harbor.conf', withFar, ['/ws']), undefined);
    assert.equal(reads.includes(far), true, 'a fragment beside it is looked up there');
  });

  it('still finds an includer one folder up (include ../conf.d/*.conf)', async () => {
    const up = { '/ws/d/nginx/nginx.conf': 'events {}\nhttp {\n    include ../conf.d/*.conf;\n}\n' };
    const withUp: FileAccess = {
      ...files,
      async readFile(path) {
        return path in up ? { ok: true, path, bytes: Buffer.from(up[path as keyof typeof up]) } : files.readFile(path, { maxBytes: 1 << 20 });
      },
      async findByName() {
        return Object.keys(up);
      },
    };
    assert.equal((await findIncluder('/ws/d/conf.d/harbor.conf', withUp, ['/ws']))?.file.path, '/ws/d/nginx/nginx.conf');
  });

  it('is not asked for a main config', () => {
    assert.equal(isHttpFragment(parseNginx(texts['/ws/b/nginx.conf'], '/ws/b/nginx.conf')), false);
    assert.equal(isHttpFragment(parseNginx('location / { proxy_pass http://harbor; }\n', 'snippet.conf')), false);
  });
});
