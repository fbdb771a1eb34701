/** Generated inputs for the benchmarks: realistic shapes, scaled up. */

/** A goharbor values file of about `lines` lines: the real keys, then many component blocks. */
export function generateValues(lines: number): string {
  const out = [
    'expose:',
    '  type: ingress',
    '  tls:',
    '    enabled: true',
    '    certSource: secret',
    '  ingress:',
    '    hosts:',
    '      core: harbor.example.com',
    'externalURL: https://harbor.example.com',
    'harborAdminPassword: Harbor12345',
    'existingSecretSecretKey: harbor-secret-key',
    'core:',
    '  replicas: 2',
    '  secret: ""',
    'extraComponents:',
  ];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `  component${i}:`,
      `    image:`,
      `      repository: goharbor/component-${i}`,
      `      tag: v2.11.${i % 10}`,
      `    replicas: ${1 + (i % 3)}`,
      `    resources: &res${i}`,
      `      requests: { cpu: 100m, memory: 256Mi }`,
      `    limits: *res${i}`,
      `    # comment ${i} with {{ .Values.template }}`,
      `    annotations:`,
      `      example.com/note: "value ${i}"`,
    );
    i++;
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** An nginx.conf of about `lines` lines: many Harbor-like vhosts with locations and headers. */
export function generateNginx(lines: number): string {
  const out = ['events {}', 'http {', '    client_max_body_size 10m;', '    map $http_x_forwarded_proto $fwd { default $http_x_forwarded_proto; "" $scheme; }'];
  let i = 0;
  while (out.length < lines - 1) {
    out.push(
      '    server {',
      '        listen 443 ssl;',
      `        server_name harbor${i}.example.com;`,
      '        proxy_set_header Host $http_host;',
      '        proxy_set_header X-Forwarded-Proto $fwd;',
      '        location / {',
      `            proxy_pass http://harbor${i};`,
      '        }',
      '        location /v2/ {',
      '            proxy_set_header X-Real-IP $remote_addr;',
      `            proxy_pass http://harbor${i};`,
      '            proxy_read_timeout 900;',
      '        }',
      '        location ~ ^/api/v2\\.0/(projects|users) {',
      `            proxy_pass http://harbor${i};`,
      '        }',
      '        # a comment with "quotes" and ${vars}',
      '    }',
    );
    i++;
  }
  out.push('}');
  return out.join('\n') + '\n';
}
