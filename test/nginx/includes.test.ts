/** Include resolution over an in-memory FileAccess, the walk helpers, and include indexes in the crossplane payload. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NginxFile } from '../../server/src/core/nginx/ast';
import { toCrossplanePayload } from '../../server/src/core/nginx/crossplane';
import { resolveIncludes } from '../../server/src/core/nginx/includes';
import { analyzeText } from '../../server/src/core/languageService';
import { parseNginx } from '../../server/src/core/nginx/parser';
import { findAll, findAllInFiles, findChildren, walkDirectives } from '../../server/src/core/nginx/walk';
import type { FileAccess, ReadProblem, ReadResult } from '../../server/src/core/types';

type Entry = string | { problem: ReadProblem; message: string };

/** Files by absolute path; `glob` answers in reverse order to prove the resolver sorts. */
function memoryAccess(files: Record<string, Entry>): FileAccess & { reads: string[]; globs: string[] } {
  const reads: string[] = [];
  const globs: string[] = [];
  return {
    reads,
    globs,
    async readFile(path, { maxBytes }): Promise<ReadResult> {
      reads.push(path);
      const entry = files[path];
      if (entry === undefined) return { ok: false, path, problem: 'missing', message: `${path}: no such file` };
      if (typeof entry !== 'string') return { ok: false, path, problem: entry.problem, message: entry.message };
      const bytes = new TextEncoder().encode(entry);
      if (bytes.length > maxBytes) return { ok: false, path, problem: 'too-large', message: `${path} is larger than ${maxBytes} bytes` };
      return { ok: true, path, bytes };
    },
    async glob(pattern) {
      globs.push(pattern);
      const regex = new RegExp(
        '^' +
          pattern
            .split('')
            .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|\\[\]]/g, '\\$&')))
            .join('') +
          '$',
      );
      return Object.keys(files)
        .filter((path) => regex.test(path))
        .sort()
        .reverse();
    },
  };
}

const root = (text: string, path = '/etc/nginx/nginx.conf'): NginxFile => parseNginx(text, path);

test('relative includes resolve against configDir, not the including file; globs are sorted', async () => {
  const access = memoryAccess({
    '/etc/nginx/conf.d/b.conf': 'server { listen 81; include snippets/proxy.conf; }',
    '/etc/nginx/conf.d/a.conf': 'server { listen 80; }',
    '/etc/nginx/snippets/proxy.conf': 'proxy_set_header Host $http_host;',
    '/etc/nginx/conf.d/snippets/proxy.conf': 'wrong_file on;',
  });
  const main = root('http {\n  include conf.d/*.conf;\n}\n');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(problems, []);
  assert.deepEqual(access.globs, ['/etc/nginx/conf.d/*.conf']);
  assert.deepEqual(
    files.map((f) => f.path),
    ['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/a.conf', '/etc/nginx/conf.d/b.conf', '/etc/nginx/snippets/proxy.conf'],
  );
  const include = main.directives[0].block![0];
  assert.deepEqual(include.included!.map((f) => f.path), ['/etc/nginx/conf.d/a.conf', '/etc/nginx/conf.d/b.conf']);
  const nested = include.included![1].directives[0].block![1];
  assert.equal(nested.name, 'include');
  assert.equal(nested.included![0].directives[0].name, 'proxy_set_header');
  assert.equal(nested.included![0].directives[0].file, '/etc/nginx/snippets/proxy.conf');
});

test('absolute includes, an empty glob, and a relative configDir', async () => {
  const access = memoryAccess({ '/opt/extra.conf': 'gzip on;', 'conf/mime.types': 'types { text/html html; }' });
  const main = root('include /opt/extra.conf;\ninclude none/*.conf;\ninclude mime.types;', 'conf/nginx.conf');
  const { files, problems } = await resolveIncludes(main, access, { configDir: 'conf' });
  assert.deepEqual(problems, []);
  assert.deepEqual(files.map((f) => f.path), ['conf/nginx.conf', '/opt/extra.conf', 'conf/mime.types']);
  assert.deepEqual(main.directives[1].included, [], 'a glob that matches nothing is fine, as in nginx');
});

test('a missing file, a FIFO, a device and a directory are read problems with the FileAccess message', async () => {
  const access = memoryAccess({
    '/etc/nginx/fifo.conf': { problem: 'not-regular', message: '/etc/nginx/fifo.conf is not a regular file (FIFO)' },
    '/dev/zero': { problem: 'not-regular', message: '/dev/zero is not a regular file (device)' },
    '/etc/nginx/conf.d': { problem: 'directory', message: '/etc/nginx/conf.d is a directory' },
  });
  const main = root('include missing.conf;\ninclude fifo.conf;\ninclude /dev/zero;\ninclude conf.d;\nuser nginx;');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(files, [main]);
  assert.deepEqual(
    problems.map((p) => [p.reason, p.path, p.message, p.include.line]),
    [
      ['read', '/etc/nginx/missing.conf', '/etc/nginx/missing.conf: no such file', 1],
      ['read', '/etc/nginx/fifo.conf', '/etc/nginx/fifo.conf is not a regular file (FIFO)', 2],
      ['read', '/dev/zero', '/dev/zero is not a regular file (device)', 3],
      ['read', '/etc/nginx/conf.d', '/etc/nginx/conf.d is a directory', 4],
    ],
  );
  for (const include of main.directives.slice(0, 4)) assert.deepEqual(include.included, []);
});

test('maxBytes is passed to the FileAccess; binary files are read problems', async () => {
  const access = memoryAccess({ '/etc/nginx/big.conf': 'x'.repeat(100), '/etc/nginx/bin.conf': 'a\u0000b' });
  const main = root('include big.conf;\ninclude bin.conf;');
  const { problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx', maxBytes: 50 });
  assert.deepEqual(problems.map((p) => p.reason), ['read', 'read']);
  assert.match(problems[0].message, /larger than 50 bytes/);
  assert.match(problems[1].message, /binary/);
});

test('a self-include is a cycle and is not followed', async () => {
  const access = memoryAccess({ '/etc/nginx/nginx.conf': 'include nginx.conf;' });
  const main = root('include nginx.conf;');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(files, [main]);
  assert.deepEqual(problems.map((p) => [p.reason, p.path]), [['cycle', '/etc/nginx/nginx.conf']]);
  assert.match(problems[0].message, /includes itself/);
  assert.deepEqual(main.directives[0].included, []);
});

test('a cycle through two files is reported at the include that closes it', async () => {
  const access = memoryAccess({
    '/etc/nginx/a.conf': 'location /a { include b.conf; }',
    '/etc/nginx/b.conf': 'include a.conf;\nreturn 200;',
  });
  const main = root('server { include a.conf; }');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(files.map((f) => f.path), ['/etc/nginx/nginx.conf', '/etc/nginx/a.conf', '/etc/nginx/b.conf']);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].reason, 'cycle');
  assert.equal(problems[0].include.file, '/etc/nginx/b.conf');
  assert.equal(problems[0].message, 'include cycle: /etc/nginx/a.conf -> /etc/nginx/b.conf -> /etc/nginx/a.conf');
  // The walk terminates and sees each directive once.
  assert.deepEqual([...walkDirectives(main.directives)].map((e) => e.directive.name), ['server', 'location', 'return']);
});

test('the same file included twice (not a cycle) is parsed for each include and listed once', async () => {
  const access = memoryAccess({ '/etc/nginx/proxy.conf': 'proxy_buffering off;' });
  const main = root('location /a { include proxy.conf; }\nlocation /b { include proxy.conf; }');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(problems, []);
  assert.equal(files.length, 2);
  const [a, b] = main.directives.map((d) => d.block![0].included![0]);
  assert.notEqual(a, b, 'each include has its own tree');
  assert.equal(access.reads.filter((p) => p === '/etc/nginx/proxy.conf').length, 1, 'read once');
  assert.deepEqual(findAll(main.directives, 'proxy_buffering').length, 2);
});

test('findAll finds what walkDirectives walks, in the same order, includes and a hand-made cycle included', async () => {
  const access = memoryAccess({ '/etc/nginx/a.conf': 'location /a { proxy_pass http://a; include b.conf; }', '/etc/nginx/b.conf': 'proxy_pass http://b; location /b { proxy_pass http://c; }' });
  const main = root('http { server { proxy_pass http://0; include a.conf; location / { include b.conf; proxy_pass http://1; } } }');
  await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  const a = main.directives[0].block![0].block![1].included![0];
  a.directives[0].block![1].included!.push(a); // a cycle resolveIncludes never builds: the walk must still end
  for (const name of ['proxy_pass', 'location', 'include', 'server']) {
    const walked = [...walkDirectives(main.directives)].map((entry) => entry.directive).filter((directive) => directive.name === name);
    assert.deepEqual(findAll(main.directives, name), walked, name);
  }
  assert.ok(findAll(main.directives, 'proxy_pass').length > 4);
});

test('findAllInFiles finds what findAll finds in each file in turn, for each indexed name', async () => {
  const access = memoryAccess({ '/etc/nginx/u.conf': 'upstream b { server b:1; }\nmap $x $y { default 1; }\nproxy_ssl_certificate /c.pem;', '/etc/nginx/v.conf': 'include u.conf;\nupstream c { server c:1; }' });
  const main = root('http { upstream a { server a:1; } include v.conf; server { location / { include u.conf; proxy_ssl_certificate /d.pem; } } map $a $b { default 2; } }');
  const { files } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  const all = [main, ...files.filter((file) => file !== main)];
  assert.equal(all.length, 3);
  for (const name of ['map', 'upstream', 'proxy_ssl_certificate'] as const) {
    const expected = all.flatMap((file) => findAll(file.directives, name));
    assert.ok(expected.length >= 3, name);
    assert.deepEqual(findAllInFiles(all, name), expected, name);
    assert.equal(findAllInFiles(all, name), findAllInFiles(all, name), 'indexed once per list of files');
  }
});

test('the depth limit stops a long include chain', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`/c/f${i}.conf`] = `level ${i};\ninclude f${i + 1}.conf;`;
  const main = root('include f0.conf;', '/c/nginx.conf');
  const { files: parsed, problems } = await resolveIncludes(main, memoryAccess(files), { configDir: '/c', maxDepth: 5 });
  assert.equal(parsed.length, 6, 'the root and five levels');
  assert.deepEqual(problems.map((p) => [p.reason, p.path]), [['depth', '/c/f5.conf']]);
  assert.deepEqual(findAll(main.directives, 'level').map((d) => d.args[0].value), ['0', '1', '2', '3', '4']);
  const defaults = await resolveIncludes(root('include f0.conf;', '/c/nginx.conf'), memoryAccess(files), { configDir: '/c' });
  assert.equal(defaults.files.length, 17, 'default depth is 16');
  assert.equal(defaults.problems[0].reason, 'depth');
});

test('the file limit stops an include explosion', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 10; i++) files[`/c/x${i}.conf`] = 'include /c/x*.conf;';
  const main = root('include x*.conf;', '/c/nginx.conf');
  const { problems } = await resolveIncludes(main, memoryAccess(files), { configDir: '/c', maxFiles: 20 });
  assert.ok(problems.some((p) => p.reason === 'too-many-files'));
  assert.ok(problems.some((p) => p.reason === 'cycle'));
  assert.match(problems.find((p) => p.reason === 'too-many-files')!.message, /more than 20 included files/);
});

test('thousands of `include *;` cost one listing and one read per file, and a handful of problems (issue 11 item 7)', async () => {
  // Not timed: the work is counted. Before, each include listed the folder again and reported every file past the limit.
  const run = async (count: number, maxIncludes?: number) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i++) files[`/c/site${i}.conf`] = `server { listen ${8000 + i}; }`;
    const text = `http {\n${'include *;'.repeat(count)}\n}\n`;
    files['/c/nginx.conf'] = text;
    const access = memoryAccess(files);
    const main = root(text, '/c/nginx.conf');
    const result = await resolveIncludes(main, access, { configDir: '/c', maxIncludes });
    return { access, main, ...result };
  };
  const small = await run(1000);
  const large = await run(2000);
  for (const { access, problems } of [small, large]) {
    assert.deepEqual(access.globs, ['/c/*'], 'one listing');
    assert.equal(access.reads.length, 8, 'each file read once');
    assert.deepEqual(problems.map((p) => p.reason), ['cycle'], 'the self-include is reported once, on the first include');
  }
  // Repeats are not followed again: the walk sees the files once.
  assert.equal(findAll(large.main.directives, 'listen').length, 8);
  assert.equal(large.files.length, 9);

  // Distinct includes past the bound: one problem that says how many were not followed.
  const distinct = Array.from({ length: 50 }, (_, i) => `include site${i % 8}.conf; include missing${i}.conf;`).join('\n');
  const access = memoryAccess({ '/c/site0.conf': 'listen 1;' });
  const { problems } = await resolveIncludes(root(distinct, '/c/nginx.conf'), access, { configDir: '/c', maxIncludes: 10 });
  const limit = problems.filter((p) => p.reason === 'too-many-includes');
  assert.equal(limit.length, 1);
  assert.match(limit[0].message, /more than 10 include directives; this one and \d+ more were not followed/);
  assert.ok(access.reads.length <= 10, `${access.reads.length} reads`);
});

test('the lint of 2,000 `include *;` lines reports the self-include once', async () => {
  const text = `server {\n    listen 443 ssl;\n    ${'include *;'.repeat(2000)}\n    location /v2/ { proxy_pass http://harbor; }\n}\n`;
  const access = memoryAccess({ '/c/nginx.conf': text, '/c/a.conf': 'client_max_body_size 0;' });
  const analysis = await analyzeText({ uri: '/c/nginx.conf', path: '/c/nginx.conf', text }, { files: access });
  assert.deepEqual(analysis.internalErrors, []);
  assert.equal(access.globs.length, 1);
  assert.deepEqual(analysis.findings.filter((f) => f.ruleId === 'nginx-include').map((f) => f.message), ['include nginx.conf not followed (an include cycle): checks that need it may be incomplete']);
});

test('templated includes and includes without an argument are not followed', async () => {
  const access = memoryAccess({});
  const main = root('include {{ .Values.extra }};\ninclude;');
  const { problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  assert.deepEqual(problems, []);
  assert.deepEqual(access.reads, []);
});

test('walkDirectives yields included directives in place of the include, with the parents of the include', async () => {
  const access = memoryAccess({ '/etc/nginx/loc.conf': 'location /v2/ {\n  client_max_body_size 0;\n}' });
  const main = root('http {\n  server {\n    listen 443;\n    include loc.conf;\n    server_name h;\n  }\n}');
  await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  const entries = [...walkDirectives(main.directives)].map((e) => [e.directive.name, e.parents.map((p) => p.name).join('>')]);
  assert.deepEqual(entries, [
    ['http', ''],
    ['server', 'http'],
    ['listen', 'http>server'],
    ['location', 'http>server'],
    ['client_max_body_size', 'http>server>location'],
    ['server_name', 'http>server'],
  ]);
  const server = main.directives[0].block![0];
  assert.deepEqual(findChildren(server.block!, 'location').map((d) => d.file), ['/etc/nginx/loc.conf']);
  assert.deepEqual(findChildren(server.block!, 'client_max_body_size'), [], 'children only, not grandchildren');
});

test('an unresolved include is yielded by the walk', () => {
  const main = root('include x.conf;');
  assert.deepEqual([...walkDirectives(main.directives)].map((e) => e.directive.name), ['include']);
});

test('crossplane payload lists includes as config indexes, cycles included, and read problems as errors', async () => {
  const access = memoryAccess({
    '/etc/nginx/a.conf': 'include nginx.conf;\nlisten 80;',
  });
  const main = root('include a.conf;\ninclude missing.conf;');
  const { files, problems } = await resolveIncludes(main, access, { configDir: '/etc/nginx' });
  const payload = toCrossplanePayload(files, problems);
  assert.equal(payload.status, 'failed');
  assert.deepEqual(payload.errors, [{ file: '/etc/nginx/nginx.conf', error: '/etc/nginx/missing.conf: no such file in /etc/nginx/nginx.conf:2', line: 2 }]);
  assert.deepEqual(payload.config[0].parsed, [
    { directive: 'include', line: 1, args: ['a.conf'], includes: [1] },
    { directive: 'include', line: 2, args: ['missing.conf'] },
  ]);
  assert.deepEqual(payload.config[1].parsed, [
    { directive: 'include', line: 1, args: ['nginx.conf'], includes: [0] },
    { directive: 'listen', line: 2, args: ['80'] },
  ]);
  assert.equal(payload.config[1].status, 'ok');
});
