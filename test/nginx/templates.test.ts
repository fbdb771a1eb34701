/** Template masking: Jinja, Helm and envsubst syntax never yields errors or a bogus tree. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NginxDirective } from '../../server/src/core/nginx/ast';
import { parseNginx } from '../../server/src/core/nginx/parser';

function shape(directives: readonly NginxDirective[]): unknown[] {
  return directives.map((d) => (d.block ? [d.name, ...d.args.map((a) => a.value), shape(d.block)] : [d.name, ...d.args.map((a) => a.value)]));
}

test('Jinja statement and comment tags are skipped entirely', () => {
  const text = [
    '{# Harbor nginx template #}',
    'server {',
    '{% if internal_tls.enabled %}',
    '    ssl_certificate {{ssl_cert}};',
    '{% else %}',
    '    listen 8080;',
    '{% endif %}',
    '}',
  ].join('\n');
  const file = parseNginx(text, 't.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(file.comments, []);
  const server = file.directives[0];
  assert.deepEqual(shape(file.directives), [['server', [['ssl_certificate', '{{ssl_cert}}'], ['listen', '8080']]]]);
  const [cert, listen] = server.block!;
  assert.equal(cert.templated, true);
  assert.equal(cert.args[0].templated, true);
  assert.equal(text.slice(cert.args[0].span.start, cert.args[0].span.end), '{{ssl_cert}}');
  assert.equal(listen.templated, false);
  assert.equal(server.templated, false, 'a block is not templated because a child is');
  assert.equal(cert.line, 4);
});

test('a tag inside a directive marks it templated', () => {
  const file = parseNginx('listen 443 {% if h2 %}http2{% endif %} ssl;', 't.conf');
  assert.deepEqual(file.errors, []);
  assert.equal(file.directives[0].templated, true);
});

test('Helm expressions are parts of arguments, even with quotes and spaces inside', () => {
  const text = 'upstream core {\n  server "{{ template "harbor.core" . }}:80";\n}\nlocation /v2/ {\n  proxy_pass {{ $scheme }}://core/v2/;\n  client_max_body_size 0;\n}';
  const file = parseNginx(text, 'h.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [
    ['upstream', 'core', [['server', '{{ template "harbor.core" . }}:80']]],
    ['location', '/v2/', [['proxy_pass', '{{ $scheme }}://core/v2/'], ['client_max_body_size', '0']]],
  ]);
  const server = file.directives[0].block![0];
  assert.equal(server.templated, true);
  assert.equal(server.args[0].quote, '"');
  assert.equal(file.directives[1].block![1].templated, false);
});

test('"{{" never opens a block', () => {
  const file = parseNginx('server {\n  set $x {{ .Values.x }};\n  {{ .Values.name }} on;\n}\nevents {}', 'h.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['server', [['set', '$x', '{{ .Values.x }}'], ['{{ .Values.name }}', 'on']]], ['events', []]]);
  assert.equal(file.directives[0].block![1].templated, true);
});

test('a line that is only a template expression is an opaque templated directive', () => {
  const text = 'server {\n  {{- if .Values.tls }}\n  listen 443 ssl;\n  {{- end }}\n  {{ include "harbor.locations" . | nindent 2 }}\n}';
  const file = parseNginx(text, 'h.conf');
  assert.deepEqual(file.errors, []);
  const block = file.directives[0].block!;
  assert.deepEqual(shape(block), [['{{- if .Values.tls }}'], ['listen', '443', 'ssl'], ['{{- end }}'], ['{{ include "harbor.locations" . | nindent 2 }}']]);
  assert.deepEqual(block.map((d) => d.templated), [true, false, true, true]);
  assert.equal(text.slice(block[3].span.start, block[3].span.end), '{{ include "harbor.locations" . | nindent 2 }}');
});

test('a bare ${VAR} line (envsubst standing for a block) is an opaque templated directive', () => {
  const text = 'http {\n    ${REPLICA_CONFIG}\n    server {\n        listen 80;\n    }\n}\n';
  const file = parseNginx(text, 'e.conf');
  assert.deepEqual(file.errors, []);
  assert.deepEqual(shape(file.directives), [['http', [['${REPLICA_CONFIG}'], ['server', [['listen', '80']]]]]]);
  const placeholder = file.directives[0].block![0];
  assert.equal(placeholder.templated, true);
  assert.equal(placeholder.line, 2);
  assert.equal(text.slice(placeholder.span.start, placeholder.span.end), '${REPLICA_CONFIG}');
});

test('an envsubst variable as a directive name marks it templated', () => {
  const file = parseNginx('${DIRECTIVE} value;', 'e.conf');
  assert.deepEqual(file.errors, []);
  assert.equal(file.directives[0].templated, true);
});

test('"{#" is a Jinja comment only when "#}" closes it', () => {
  const plain = parseNginx('server {# main server\n  listen 80;\n}', 'p.conf');
  assert.deepEqual(plain.errors, []);
  assert.deepEqual(shape(plain.directives), [['server', [['listen', '80']]]]);
  assert.deepEqual(plain.comments.map((c) => c.text), [' main server']);
  const jinja = parseNginx('{# a\n multi-line comment #}\n{% set x = 1 %}\nuser {{ user }};', 'j.conf');
  assert.deepEqual(jinja.errors, []);
  assert.deepEqual(shape(jinja.directives), [['user', '{{ user }}']]);
  assert.equal(jinja.directives[0].line, 4);
});

test('unterminated template syntax is an error but does not derail the rest', () => {
  const file = parseNginx('{% if x\nuser nginx;\nevents {}', 'u.conf');
  assert.deepEqual(file.errors.map((e) => [e.message, e.line]), [['unterminated template tag (missing "%}")', 1]]);
  assert.deepEqual(shape(file.directives), [['user', 'nginx'], ['events', []]]);
});

test('Harbor-style template parses into the expected tree', () => {
  const text = [
    'worker_processes auto;',
    'http {',
    '  map $http_x_forwarded_proto $x_forwarded_proto {',
    '    default $http_x_forwarded_proto;',
    '    ""      $scheme;',
    '  }',
    '  server {',
    '{% if internal_tls.enabled %}',
    '    listen 8443 ssl;',
    '{% endif %}',
    '    location /v2/ {',
    '      proxy_pass {{ core_url }}/v2/;',
    '      proxy_set_header X-Forwarded-Proto $x_forwarded_proto;',
    '    }',
    '  }',
    '}',
  ].join('\n');
  const file = parseNginx(text, 'harbor.conf.jinja');
  assert.deepEqual(file.errors, []);
  const server = file.directives[1].block![1];
  assert.equal(server.name, 'server');
  assert.deepEqual(shape(server.block!), [
    ['listen', '8443', 'ssl'],
    ['location', '/v2/', [['proxy_pass', '{{ core_url }}/v2/'], ['proxy_set_header', 'X-Forwarded-Proto', '$x_forwarded_proto']]],
  ]);
});
