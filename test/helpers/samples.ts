/**
 * Sample documents for the CLI, protocol and suppression tests: each is clean
 * under every rule except the one it is meant to show, so these tests keep
 * testing the machinery as rules are added.
 */

/** Complete enough that no rule but default-admin-password has anything to say. */
export const VALUES_CLEAN = [
  'expose:',
  '  type: ingress',
  '  tls:',
  '    enabled: true',
  '    certSource: secret',
  '    secret:',
  '      secretName: harbor-tls',
  '  ingress:',
  '    hosts:',
  '      core: harbor.example.com',
  'externalURL: https://harbor.example.com',
  'existingSecretSecretKey: harbor-secret-key',
  'existingSecretAdminPassword: harbor-admin',
  '',
].join('\n');

export const VALUES_DEFAULT_PASSWORD = VALUES_CLEAN.replace('existingSecretAdminPassword: harbor-admin', 'harborAdminPassword: Harbor12345');

/** A front proxy that does everything Harbor needs except lifting the upload limit. */
export const FRONT_PROXY_NO_LIMIT = [
  'server {',
  '    listen 80;',
  '    server_name harbor.example.com;',
  '    location / {',
  '        proxy_pass http://10.0.0.12:80;',
  '        proxy_http_version 1.1;',
  '        proxy_set_header Host $http_host;',
  '        proxy_set_header X-Real-IP $remote_addr;',
  '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  '        proxy_set_header X-Forwarded-Proto $scheme;',
  '        proxy_buffering off;',
  '        proxy_request_buffering off;',
  '        proxy_read_timeout 900;',
  '        proxy_send_timeout 900;',
  '    }',
  '}',
  '',
].join('\n');

export const FRONT_PROXY_CLEAN = FRONT_PROXY_NO_LIMIT.replace('    server_name harbor.example.com;\n', '    server_name harbor.example.com;\n    client_max_body_size 0;\n');

/** 0-based position of the first occurrence of `needle` (plus `offset` characters). */
export function positionOf(text: string, needle: string, offset = 0): { line: number; character: number } {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in sample`);
  const before = text.slice(0, at + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
