/** Lexer and parser: values, exact spans, lines, comments, Lua blocks and error recovery. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NginxDirective, NginxFile } from '../../server/src/core/nginx/ast';
import { parseNginx } from '../../server/src/core/nginx/parser';

const slice = (file: NginxFile, span: { start: number; end: number }): string => file.text.slice(span.start, span.end);

/** name + arg values, nested, for compact tree assertions. */
function shape(directives: readonly NginxDirective[]): unknown[] {
  return directives.map((d) => (d.block ? [d.name, ...d.args.map((a) => a.value), shape(d.block)] : [d.name, ...d.args.map((a) => a.value)]));
}

test('simple directives and blocks with exact spans and lines', () => {
  const text = 'user nginx;\nhttp {\n    server {\n        listen 80;\n    }\n}\n';
  const file = parseNginx(text, '/etc/nginx/nginx.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['user', 'nginx'], ['http', [['server', [['listen', '80']]]]]]);
  const [user, http] = file.directives;
  assert.equal(slice(file, user.span), 'user nginx;');
  assert.equal(slice(file, user.nameSpan), 'user');
  assert.equal(slice(file, user.args[0].span), 'nginx');
  assert.equal(user.line, 1);
  assert.equal(user.file, '/etc/nginx/nginx.conf');
  assert.equal(user.block, undefined);
  assert.equal(user.blockSpan, undefined);
  assert.equal(slice(file, http.span), text.slice(12, text.length - 1));
  assert.equal(slice(file, http.blockSpan!), text.slice(text.indexOf('{'), text.length - 1));
  const server = http.block![0];
  assert.equal(server.line, 3);
  assert.equal(slice(file, server.span), 'server {\n        listen 80;\n    }');
  const listen = server.block![0];
  assert.equal(listen.line, 4);
  assert.equal(slice(file, listen.span), 'listen 80;');
  assert.equal(listen.templated, false);
});

test('quoted arguments: value unescaped like crossplane, span covers the quotes', () => {
  const text = `add_header Content-Security-Policy "frame-ancestors 'none'";\nproxy_cookie_path / "/; HttpOnly; Secure";\nreturn 200 'it\\'s "x" \\n';\nmap $a $b { "" $scheme; }`;
  const file = parseNginx(text, 'q.conf');
  assert.deepEqual(file.errors, []);
  const [header, cookie, ret, map] = file.directives;
  assert.equal(header.args[1].value, "frame-ancestors 'none'");
  assert.equal(header.args[1].quote, '"');
  assert.equal(slice(file, header.args[1].span), `"frame-ancestors 'none'"`);
  assert.deepEqual(cookie.args.map((a) => a.value), ['/', '/; HttpOnly; Secure']);
  assert.equal(ret.args[1].value, `it's "x" \\n`, 'only the own quote is unescaped; other escapes stay');
  assert.equal(ret.args[1].quote, "'");
  assert.equal(map.block![0].name, '');
  assert.equal(map.block![0].nameSpan.end - map.block![0].nameSpan.start, 2);
  assert.equal(map.block![0].args[0].value, '$scheme');
});

test('quote behaviour matches crossplane: a quote only starts a token at its start', () => {
  const file = parseNginx(`"outer-quote" "left"-quote right-"quote" inner"-"quote;`, 'q.conf');
  const d = file.directives[0];
  assert.equal(d.name, 'outer-quote');
  assert.deepEqual(d.args.map((a) => a.value), ['left', '-quote', 'right-"quote"', 'inner"-"quote']);
  assert.deepEqual(d.args.map((a) => slice(file, a.span)), ['"left"', '-quote', 'right-"quote"', 'inner"-"quote']);
});

test('a right brace and a semicolon inside quotes are literal', () => {
  const file = parseNginx(`log_format main escape=json '{ "a": "$b" }'\n    '}';\nevents {}`, 'q.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['log_format', 'main', 'escape=json', '{ "a": "$b" }', '}'], ['events', []]]);
});

test('comments: only at token start, to end of line, recorded with spans and lines', () => {
  const text = '# top\nlisten 80; # after\nserver_name a#b; #\n  # 中文注释 и русский\r\nroot /x;';
  const file = parseNginx(text, 'c.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(file.comments.map((c) => [c.text, c.line]), [[' top', 1], [' after', 2], ['', 3], [' 中文注释 и русский', 4]]);
  assert.equal(slice(file, file.comments[1].span), '# after');
  assert.equal(slice(file, file.comments[3].span), '# 中文注释 и русский', 'the CR of CRLF is not part of the comment');
  assert.deepEqual(shape(file.directives), [['listen', '80'], ['server_name', 'a#b'], ['root', '/x']]);
  assert.equal(file.directives[2].line, 5);
});

test('commented-out blocks are never read', () => {
  const file = parseNginx('# server {\n#   listen 443 ssl;\n# }\nserver { listen 80; }', 'c.conf');
  assert.deepEqual(shape(file.directives), [['server', [['listen', '80']]]]);
  assert.equal(file.comments.length, 3);
});

test('CRLF, lone CR, tabs and non-ASCII keep lines and UTF-16 spans exact', () => {
  const text = 'env \'русский текст\';\r\n\tserver_name\t例え.jp;\r\r\nlisten 443;';
  const file = parseNginx(text, 'u.conf');
  assert.deepEqual(file.errors, []);
  const [env, name, listen] = file.directives;
  assert.equal(env.args[0].value, 'русский текст');
  assert.equal(name.line, 2);
  assert.equal(slice(file, name.args[0].span), '例え.jp');
  assert.equal(listen.line, 4, 'a lone CR is a line break too');
  assert.equal(slice(file, listen.span), 'listen 443;');
});

test('multi-line arguments keep the line of the directive name', () => {
  const file = parseNginx('log_format main\n  \'$remote_addr\'\n  \'$status\';\nx y;', 'l.conf');
  assert.equal(file.directives[0].line, 1);
  assert.equal(file.directives[0].args.length, 3);
  assert.equal(file.directives[1].line, 4);
});

test('${var} braces are part of the word (go-crossplane simple-variable-with-braces)', () => {
  const file = parseNginx('location /proxy {\n  proxy_pass $backend_protocol://$backend_host${foo};\n  return 200 ${a}x${b};\n}', 'v.conf');
  assert.deepEqual(file.errors, []);
  const [pass, ret] = file.directives[0].block!;
  assert.deepEqual(pass.args.map((a) => a.value), ['$backend_protocol://$backend_host${foo}']);
  assert.deepEqual(ret.args.map((a) => a.value), ['200', '${a}x${b}']);
  assert.equal(pass.templated, false, 'nginx variables in arguments are not template syntax');
});

test('escaped characters stay in unquoted words, as crossplane keeps them', () => {
  const file = parseNginx('log_format \\#arg\\ 1 a\\;b;', 'e.conf');
  assert.deepEqual(file.directives[0].args.map((a) => a.value), ['\\#arg\\ 1', 'a\\;b']);
});

test('one-line if block without spaces around braces', () => {
  const file = parseNginx('if ($request_method !~ ^(PUT)$) {return 403;}', 'i.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['if', '($request_method', '!~', '^(PUT)$)', [['return', '403']]]]);
});

test('*_by_lua_block bodies are one argument; braces in Lua strings and comments do not count', () => {
  const text = 'content_by_lua_block {\n  local s = "}{" -- a } here\n  local t = { [[ } ]] }\n}\nset_by_lua_block $res { return 1 }\nreturn 200;';
  const file = parseNginx(text, 'lua.conf');
  assert.deepEqual(file.errors, []);
  const [content, set, ret] = file.directives;
  assert.equal(content.args.length, 1);
  assert.equal(content.block, undefined);
  assert.equal(content.args[0].value, '\n  local s = "}{" -- a } here\n  local t = { [[ } ]] }\n');
  assert.equal(slice(file, content.args[0].span), `{${content.args[0].value}}`);
  assert.equal(slice(file, content.span), text.slice(0, text.indexOf('}\nset') + 1));
  assert.deepEqual(set.args.map((a) => a.value), ['$res', ' return 1 ']);
  assert.equal(set.line, 5);
  assert.deepEqual(shape([ret]), [['return', '200']]);
});

test('set_by_lua_block without its variable still reads the Lua body', () => {
  const file = parseNginx('set_by_lua_block { return "}" }\nlisten 80;', 'lua.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['set_by_lua_block', ' return "}" '], ['listen', '80']]);
  assert.equal(file.directives[1].line, 2);
});

test('a Lua block name used as an argument is just a word', () => {
  const file = parseNginx('server_name content_by_lua_block;\nupstream content_by_lua_block {\n  # stuff\n}', 'lua.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['server_name', 'content_by_lua_block'], ['upstream', 'content_by_lua_block', []]]);
});

test('an unterminated Lua block is an error and ends at the end of the text', () => {
  const file = parseNginx('access_by_lua_block { if x then', 'lua.conf');
  assert.equal(file.errors.length, 1);
  assert.match(file.errors[0].message, /unterminated Lua block/);
  assert.equal(file.directives[0].span.end, file.text.length);
});

test('missing ";" before "}" is reported and the directive is kept (crossplane missing-semicolon)', () => {
  const text = 'http {\n  server {\n    location /is-broken {\n      proxy_pass http://is.broken.example\n    }\n    location /not-broken {\n      proxy_pass http://not.broken.example;\n    }\n  }\n}\n';
  const file = parseNginx(text, 'm.conf');
  assert.equal(file.errors.length, 1);
  const error = file.errors[0];
  assert.equal(error.message, 'directive "proxy_pass" is not terminated by ";"');
  assert.equal(error.line, 4);
  assert.equal(error.file, 'm.conf');
  assert.equal(slice(file, error.span), 'proxy_pass http://is.broken.example');
  const server = file.directives[0].block![0];
  assert.deepEqual(shape(server.block!), [
    ['location', '/is-broken', [['proxy_pass', 'http://is.broken.example']]],
    ['location', '/not-broken', [['proxy_pass', 'http://not.broken.example']]],
  ]);
  assert.equal(slice(file, server.block![0].block![0].span), 'proxy_pass http://is.broken.example');
});

test('missing ";" before a block directive on the next line splits there', () => {
  const text = 'server {\n  proxy_pass http://a\n  location /b {\n    return 200;\n  }\n}';
  const file = parseNginx(text, 'm.conf');
  assert.equal(file.errors.length, 1);
  assert.equal(file.errors[0].message, 'directive "proxy_pass" is not terminated by ";"');
  assert.equal(file.errors[0].line, 2);
  const [pass, location] = file.directives[0].block!;
  assert.deepEqual(shape([pass, location]), [['proxy_pass', 'http://a'], ['location', '/b', [['return', '200']]]]);
  assert.equal(location.line, 3);
  assert.equal(slice(file, location.span), 'location /b {\n    return 200;\n  }');
});

test('missing ";" at the end of the file', () => {
  const file = parseNginx('user nginx;\nworker_processes auto', 'm.conf');
  assert.deepEqual(file.errors.map((e) => [e.message, e.line]), [['directive "worker_processes" is not terminated by ";"', 2]]);
  assert.deepEqual(shape(file.directives), [['user', 'nginx'], ['worker_processes', 'auto']]);
  assert.equal(slice(file, file.directives[1].span), 'worker_processes auto');
});

test('an extra "}" is reported and parsing goes on', () => {
  const file = parseNginx('events {\n}}\nhttp { server { listen 1; } }', 'b.conf');
  assert.deepEqual(file.errors.map((e) => [e.message, e.line, slice(file, e.span)]), [['unexpected "}"', 2, '}']]);
  assert.deepEqual(shape(file.directives), [['events', []], ['http', [['server', [['listen', '1']]]]]]);
});

test('an unclosed block runs to the end of the text and is reported at its "{"', () => {
  const text = 'http {\n  server {\n    listen 80;\n';
  const file = parseNginx(text, 'b.conf');
  assert.deepEqual(
    file.errors.map((e) => [e.message, e.line, e.span.start]),
    [
      ['unexpected end of file, expecting "}" to close the "server" block', 2, text.indexOf('{', 6)],
      ['unexpected end of file, expecting "}" to close the "http" block', 1, 5],
    ],
  );
  const http = file.directives[0];
  assert.equal(http.span.end, text.length);
  assert.equal(http.blockSpan!.end, text.length);
  assert.equal(http.block![0].block![0].name, 'listen');
});

test('a "{" without a directive name keeps the braces balanced', () => {
  const file = parseNginx('http {\n  { listen 1; }\n  server_tokens off;\n}\nevents {}', 'b.conf');
  assert.deepEqual(file.errors.map((e) => e.message), ['unexpected "{" (a block needs a directive name)']);
  assert.deepEqual(shape(file.directives), [['http', [['listen', '1'], ['server_tokens', 'off']]], ['events', []]]);
});

test('a stray ";" is reported', () => {
  const file = parseNginx('a;;b;', 'b.conf');
  assert.deepEqual(file.errors.map((e) => [e.message, e.span.start]), [['unexpected ";"', 2]]);
  assert.deepEqual(shape(file.directives), [['a'], ['b']]);
});

test('an unterminated quote ends at its line so later directives still parse', () => {
  const text = 'http {\n  add_header X "oops;\n  listen 80;\n}\nevents {}';
  const file = parseNginx(text, 'u.conf');
  assert.equal(file.errors.length, 1);
  assert.equal(file.errors[0].message, 'unterminated string (missing closing ")');
  assert.equal(slice(file, file.errors[0].span), '"oops;');
  assert.equal(file.errors[0].line, 2);
  assert.deepEqual(shape(file.directives), [['http', [['add_header', 'X', 'oops;', 'listen', '80']]], ['events', []]]);
});

test('empty input, blank input and comment-only input', () => {
  for (const text of ['', '   \n\t\r\n', '# only a comment']) {
    const file = parseNginx(text, 'e.conf');
    assert.deepEqual(file.directives, []);
    assert.deepEqual(file.errors, []);
  }
});
