/** Which server nginx picks for a request: listen port, server_name, default_server. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildNginxModel, selectServer } from '../../server/src/core/nginx/model';
import { parseNginx } from '../../server/src/core/nginx/parser';
import { noFileAccess } from '../../server/src/core/types';

async function pick(config: string, host: string, port: number): Promise<string | undefined> {
  const model = await buildNginxModel(parseNginx(config, '/etc/nginx/nginx.conf'), noFileAccess, '/etc/nginx/nginx.conf');
  const server = selectServer(model, host, port);
  return server?.scope.directives.find((d) => d.name === 'set' && d.args[0]?.value === '$id')?.args[1]?.value;
}

const CONFIG = `http {
  server { listen 443 ssl; server_name www.example.com; set $id www; }
  server { listen 443 ssl default_server; server_name _; set $id default443; }
  server { listen 443 ssl; server_name *.example.com; set $id wildcard; }
  server { listen 443 ssl; server_name harbor.*; set $id trailing; }
  server { listen 443 ssl; server_name ~^reg\\d+\\.example\\.org$; set $id regex; }
  server { listen 443 ssl; server_name harbor.example.com; set $id harbor; }
  server { listen 8443; server_name harbor.example.com; set $id harbor8443; }
  server { server_name plain.example.com; set $id port80; }
}`;

describe('server selection', () => {
  const cases: [string, number, string][] = [
    ['harbor.example.com', 443, 'harbor'],
    ['HARBOR.example.com:443', 443, 'harbor'],
    ['api.example.com', 443, 'wildcard'],
    ['harbor.internal', 443, 'trailing'],
    ['reg42.example.org', 443, 'regex'],
    ['unknown.test', 443, 'default443'],
    ['harbor.example.com', 8443, 'harbor8443'],
    ['anything', 80, 'port80'],
  ];
  for (const [host, port, expected] of cases) {
    it(`${host} on ${port} goes to ${expected}`, async () => assert.equal(await pick(CONFIG, host, port), expected));
  }

  it('without a default_server, the first server on the port answers (the trap of goharbor/harbor#14593)', async () => {
    const config = 'server { listen 443; server_name other.example.com; set $id other; }\nserver { listen 443; server_name harbor.example.com; set $id harbor; }';
    assert.equal(await pick(config, 'registry.example.com', 443), 'other');
  });

  it('no server listens on the port', async () => {
    assert.equal(await pick('server { listen 443; set $id a; }', 'h', 9999), undefined);
  });
});
