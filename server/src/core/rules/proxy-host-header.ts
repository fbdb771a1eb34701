import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { HARBOR_REQUESTS, unreadIncludeInEffect } from '../nginx/model';
import { defineRule, type Report } from './rule';
import {
  behindTlsTerminator,
  describeScope,
  headerFix,
  headerState,
  headerValue,
  nonDefaultPorts,
  proxyHost,
  placeFinding,
  servedLocations,
  sourceOf,
  terminatesTls,
} from '../nginx/frontProxy';

const BASE = HARBOR_REQUESTS.registryBase;
const START = HARBOR_REQUESTS.blobUploadStart;
const FINISH = HARBOR_REQUESTS.blobUploadFinish;

/** server_name values that are plain host names (not `_`, wildcards or regexes). */
function literalNames(names: readonly string[]): string[] {
  return names.filter((n) => n !== '' && n !== '_' && !n.includes('*') && !n.startsWith('~') && !n.startsWith('.') && !n.includes('$')).map((n) => n.toLowerCase());
}

export const proxyHostHeader = defineRule({
  meta: {
    id: 'proxy-host-header',
    catalogId: 'HB-PROXY-HOST',
    title: "Front proxy must keep the client's host:port in Host",
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Finds the `Host` header a front nginx sends with `GET /v2/` and the blob upload requests, following nginx\'s all-or-nothing inheritance of `proxy_set_header`. It reports: no `Host` line in effect (nginx then sends `$proxy_host`, the upstream name), for example because a location\'s own `proxy_set_header` list hides the server\'s; `$host` on a server whose `listen` port is not the default (443 with TLS, 80 without), because `$host` has no port; `$host:$server_port` behind another TLS terminator; and a literal host that is not one of the server\'s names. Harbor\'s own nginx is never checked: it legitimately uses `$host` on `/api/` and `/c/`. Nothing is reported as missing where an `include` in effect could not be read here (a snippet that exists only on the proxy host; Debian\'s `proxy_params` counts for the header lines only).',
      why:
        'Harbor builds the token realm of the `GET /v2/` challenge (`Bearer realm="https://<Host>/service/token"`) and the upload `Location` of `POST /v2/<repo>/blobs/uploads/` from `Host`. With the wrong host or port, `docker login` asks the wrong address for a token, or the push gets `POST` 202 and then `PUT /v2/<repo>/blobs/uploads/<id>` 401 Unauthorized, because the docker client only sends its token to the host:port it logged in to.',
      example: { language: 'nginx', code: 'server {\n    listen 8443 ssl;\n    server_name harbor.example.com;\n\n    location / {\n        proxy_pass http://harbor;\n        proxy_set_header Host $host;   # drops :8443\n    }\n}' },
      fix: 'Send `proxy_set_header Host $http_host;` (the host:port the client used, as the distribution nginx recipe marks "required for docker client\'s sake"). The quick fix sets the value, or inserts the line into the block whose list is in effect, copying the Harbor header lines that block hides.',
      evidence: ['harbor src/server/middleware/v2auth/auth.go:92-140 (tokenSvcURL)', 'distribution registry/api/v2/urls.go:49-86, docs/content/recipes/nginx.md:63,141', 'goharbor/harbor#14505, #14593, #16724, #1097'],
    },
  },
  check({ nginx, report }) {
    if (!nginx || nginx.role !== 'front') return;
    const seen = new Set<NginxDirective>();
    for (const { server, scope, proxyPass, requests } of servedLocations(nginx, [BASE, START, HARBOR_REQUESTS.blobUploadChunk])) {
      const state = headerState(scope, 'Host');
      const value = state.line ? headerValue(state.line) : '';
      const tls = terminatesTls(server);
      const lb = tls ? [] : behindTlsTerminator(server, scope);
      const ports = nonDefaultPorts(server);
      const where = describeScope(state.level ?? server.scope, server); // no list in effect: the server lacks the line (the fix adds it there)
      const which = requests.includes(BASE) ? `the token realm of ${BASE.label} and the upload Location of ${START.label}` : `the upload Location of ${START.label}`;
      const failure = `${FINISH.label} is sent without its token: 401 Unauthorized${requests.includes(BASE) ? ', or docker login asks the wrong address for a token' : ''}.`;

      let problem: string | undefined;
      let cause = '';
      let severity: Report['severity'];
      if (value === '' || value === '$proxy_host') {
        const upstream = proxyHost(proxyPass);
        if (!upstream) continue;
        if (!state.line && unreadIncludeInEffect(nginx, scope, state.level, true)) continue; // an include not read here may set it
        const bare = upstream.toLowerCase();
        if (literalNames(server.names).includes(bare)) continue; // $proxy_host is already the public name
        const hidden = state.hiddenLines;
        cause = state.line
          ? value === '$proxy_host'
            ? `Host $proxy_host at ${clip(where, 40)} sends the upstream's name`
            : `Host is empty at ${clip(where, 40)}`
          : hidden.length > 0
            ? `${clip(where, 40)} hides the server's proxy_set_header Host`
            : `No proxy_set_header Host at ${clip(where, 40)} sends the upstream's name`;
        problem = state.line
          ? value === '$proxy_host'
            ? `"Host $proxy_host" at ${where} sends the upstream's name ("${upstream}")`
            : `Host is set to an empty value at ${where}`
          : hidden.length > 0
            ? `${where} sets its own proxy_set_header lines, which hide "proxy_set_header ${sourceOf(hidden[0], nginx.files)}" of ${describeScope(state.hiddenLevel, server)} (nginx inherits proxy_set_header only when a level sets none), so nginx sends its default Host, $proxy_host ("${upstream}")`
            : `no proxy_set_header Host is in effect at ${where}, so nginx sends its default, $proxy_host ("${upstream}")`;
        problem += `, and Harbor builds ${which} from it`;
      } else if (value === '$host' && ports.length > 0 && lb.length === 0) {
        cause = `Host $host at ${clip(where, 40)} drops the port :${ports[0]}`;
        problem = `"Host $host" at ${where} drops the port: clients reach this server on :${ports.join(', :')}, but ${which} are built without it`;
      } else if (value === '$host:$server_port' && lb.length > 0) {
        severity = 'warning';
        cause = `Host $host:$server_port at ${clip(where, 40)} sends this proxy's local port`;
        problem = `this server is behind another TLS terminator (${lb.join('; ')}), so $server_port is its local port, not the one clients use, and ${which} carry it`;
      } else if (!value.includes('$') && !state.line!.templated) {
        const [host, port] = value.toLowerCase().split(':');
        const names = literalNames(server.names);
        if (!port && ports.length > 0 && lb.length === 0 && names.includes(host)) {
          cause = `Host ${clip(value, 40)} at ${clip(where, 40)} lacks the port :${ports[0]}`;
          problem = `"Host ${value}" at ${where} has no port, but clients reach this server on :${ports.join(', :')}, and ${which} are built without it`;
        } else if (names.length > 0 && !names.includes(host)) {
          severity = 'warning';
          cause = `Host ${clip(value, 40)} at ${clip(where, 40)} is not this server's name`;
          problem = `"Host ${value}" at ${where} is not one of this server's names (${names.join(', ')}), and ${which} are built from it`;
        }
      }
      if (!problem) continue;
      const key = state.line ?? state.level?.block ?? server.scope.block!;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = state.line ?? state.level?.block ?? server.scope.block!;
      const placed = placeFinding(nginx, target, state.line ? 'this Host line is set here' : `the proxy_set_header list of ${where} is here`, state.line ? target.span : undefined);
      if (!placed) continue;
      const edits = headerFix(nginx, server, state, 'Host', '$http_host');
      const hidden = state.line ? [] : state.hiddenLines;
      report({
        span: placed.span,
        severity,
        message: `${cause}: ${requests.includes(BASE) ? 'docker login and push get 401 Unauthorized' : 'the upload PUT gets 401 Unauthorized'}`,
        detail: `${failure} ${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`,
        related: [...placed.related, ...hidden.map((d) => ({ file: d.file, span: d.span, message: `hidden by the proxy_set_header list of ${where}`, text: nginx.files.find((f) => f.path === d.file)?.text }))],
        fixes: edits
          ? [
              {
                title: state.line ? 'Send Host $http_host' : hidden.length > 0 || state.hiddenList.length > 0 ? 'Copy the hidden header lines here, adding Host' : `Add "proxy_set_header Host $http_host;" to ${clip(where, 30)}`,
                note: state.line
                  ? '$http_host is the host:port the client used.'
                  : hidden.length > 0 || state.hiddenList.length > 0
                    ? `Copies the hidden Harbor header lines into ${where}, with "proxy_set_header Host $http_host;".`
                    : undefined,
                safety: 'safe',
                edits,
              },
            ]
          : [],
      });
    }
  },
});
