import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { HARBOR_REQUESTS } from '../nginx/model';
import { defineRule, type Report } from './rule';
import { behindTlsTerminator, describeScope, headerState, headerValue, nonDefaultPorts, placeFinding, servedLocations, terminatesTls } from '../nginx/frontProxy';

const START = HARBOR_REQUESTS.blobUploadStart;
const FINISH = HARBOR_REQUESTS.blobUploadFinish;
const FAILS = `${FINISH.label} (and every PATCH before it) is sent without its token: 401 Unauthorized.`;

export const proxyForwardedHost = defineRule({
  meta: {
    id: 'proxy-forwarded-host',
    catalogId: 'HB-PROXY-FWD-HOST',
    title: 'X-Forwarded-Host / Forwarded must carry the public host:port and scheme',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'unsafe',
    perServer: true,
    docs: {
      whatItDoes:
        'Checks the `X-Forwarded-Host` and `Forwarded` headers a front nginx sends with `POST` and `PATCH`/`PUT /v2/<repo>/blobs/uploads/…`. The registry prefers them over `Host` and `X-Forwarded-Proto` when it builds the upload `Location`. It reports `X-Forwarded-Host $host` (or a literal without a port) on a server whose `listen` port is not the default, `X-Forwarded-Host $proxy_host`, and `Forwarded` with `proto=http`, or with `proto=$scheme` on a plain-http server that the file shows is behind another TLS terminator. Not setting these headers at all is fine.',
      why:
        '`docker push` gets `POST /v2/<repo>/blobs/uploads/` 202 and then `PUT /v2/<repo>/blobs/uploads/<id>` 401 Unauthorized: the `Location` points at another host:port or at `http://`, and the docker client only sends its token to the scheme and host:port it logged in to. A correct `Host` does not help, because `Forwarded: host=` and `X-Forwarded-Host` win over it.',
      example: { language: 'nginx', code: 'server {\n    listen 8443 ssl;\n    server_name harbor.example.com;\n\n    location / {\n        proxy_pass http://harbor;\n        proxy_set_header Host $http_host;\n        proxy_set_header X-Forwarded-Host $host;   # no :8443\n    }\n}' },
      fix: 'Send `X-Forwarded-Host $http_host` (host:port as the client sent it), or do not send it. In `Forwarded`, `proto=` must be the public scheme. The quick fix for `X-Forwarded-Host` sets `$http_host`; the one for `Forwarded` sets `proto=$scheme` at a TLS terminator and `proto=https` behind one (unsafe: check the public scheme).',
      evidence: ['distribution v2.8.3 registry/api/v2/urls.go:61-86 (Forwarded, then X-Forwarded-Host, over Host)', 'distribution registry/client/auth/session.go:73-103'],
    },
  },
  check({ nginx, report }) {
    if (!nginx || nginx.role !== 'front') return;
    const seen = new Set<NginxDirective>();
    for (const { server, scope } of servedLocations(nginx, [START, HARBOR_REQUESTS.blobUploadChunk])) {
      const tls = terminatesTls(server);
      const lb = tls ? [] : behindTlsTerminator(server, scope);
      const ports = nonDefaultPorts(server);
      const findings: { line: NginxDirective; cause: string; problem: string; severity?: Report['severity']; fix?: { title: string; note?: string; safety: 'safe' | 'unsafe'; start: number; end: number; newText: string } }[] = [];

      const xfh = headerState(scope, 'X-Forwarded-Host').line;
      if (xfh && !xfh.templated) {
        const value = headerValue(xfh);
        const where = `at ${describeScope(headerState(scope, 'X-Forwarded-Host').level ?? scope, server)}`;
        let problem: string | undefined;
        let cause = '';
        let severity: Report['severity'];
        if (value === '$proxy_host' || value === '$upstream_addr') {
          cause = `X-Forwarded-Host ${value} names the upstream`;
          problem = `"X-Forwarded-Host ${value}" ${where} names the upstream, so the upload Location of ${START.label} points at it`;
        } else if (value === '$host' && ports.length > 0 && lb.length === 0) {
          cause = `X-Forwarded-Host $host drops the port :${ports[0]}`;
          problem = `"X-Forwarded-Host $host" ${where} drops the port: clients reach this server on :${ports.join(', :')}, but the registry builds the upload Location of ${START.label} from this header, without the port`;
        } else if (!value.includes('$') && value !== '' && !value.includes(':') && ports.length > 0 && lb.length === 0) {
          cause = `X-Forwarded-Host ${clip(value, 40)} lacks the port :${ports[0]}`;
          problem = `"X-Forwarded-Host ${value}" ${where} has no port, but clients reach this server on :${ports.join(', :')}, and the registry builds the upload Location of ${START.label} from this header`;
        } else if (value === '$host:$server_port' && lb.length > 0) {
          severity = 'warning';
          cause = 'X-Forwarded-Host $host:$server_port sends this proxy\'s local port (it is behind a TLS balancer)';
          problem = `this server is behind another TLS terminator (${lb.join('; ')}), so $server_port in "X-Forwarded-Host ${value}" is its local port, and the upload Location carries it`;
        }
        const arg = xfh.args[1];
        if (problem) findings.push({ line: xfh, cause, problem, severity, fix: arg ? { title: 'Send X-Forwarded-Host $http_host', note: '$http_host is the host:port the client used.', safety: 'safe', start: arg.span.start, end: arg.span.end, newText: '$http_host' } : undefined });
      }

      const fwd = headerState(scope, 'Forwarded').line;
      if (fwd && !fwd.templated) {
        const value = headerValue(fwd);
        const arg = fwd.args[1];
        const plainHttp = /(^|[;,\s])proto=("?)http\2(?=$|[;,\s"])/i.exec(value);
        const schemeBehindLb = /(^|[;,\s])proto=("?)\$scheme\2(?=$|[;,\s"])/i.exec(value);
        const hostNoPort = /(^|[;,\s])host=("?)\$host\2(?=$|[;,\s"])/i.exec(value);
        const proto = tls ? '$scheme' : 'https';
        const rewrite = (pattern: RegExp): string => value.replace(pattern, (_m, lead: string, q: string) => `${lead}proto=${q}${proto}${q}`);
        const fixFor = (pattern: RegExp) =>
          arg && arg.quote !== "'" && !/[\\"]/.test(value) ? { title: `Send proto=${proto} in Forwarded`, note: 'Check that the public scheme is https.', safety: 'unsafe' as const, start: arg.span.start, end: arg.span.end, newText: `"${rewrite(pattern)}"` } : undefined;
        if (plainHttp && (tls || lb.length > 0)) {
          findings.push({ line: fwd, cause: 'Forwarded says proto=http', problem: `"Forwarded: ${value}" says proto=http, and the registry reads Forwarded before X-Forwarded-Proto, so the upload Location of ${START.label} is http://`, fix: fixFor(/(^|[;,\s])proto=("?)http\2(?=$|[;,\s"])/i) });
        } else if (schemeBehindLb && !tls && lb.length > 0) {
          findings.push({ line: fwd, cause: 'Forwarded proto=$scheme is http behind a TLS balancer', problem: `this server is plain http behind another TLS terminator (${lb.join('; ')}), so proto=$scheme in "Forwarded" is http, and the registry reads Forwarded before X-Forwarded-Proto`, fix: fixFor(/(^|[;,\s])proto=("?)\$scheme\2(?=$|[;,\s"])/i) });
        } else if (hostNoPort && ports.length > 0 && lb.length === 0) {
          findings.push({ line: fwd, cause: `Forwarded host=$host drops the port :${ports[0]}`, problem: `host=$host in "Forwarded" drops the port: clients reach this server on :${ports.join(', :')}, and the registry reads Forwarded before Host` });
        }
      }

      for (const finding of findings) {
        if (seen.has(finding.line)) continue;
        seen.add(finding.line);
        const placed = placeFinding(nginx, finding.line, 'this header line is set here', finding.line.span);
        if (!placed) continue;
        const inFile = placed.inThisFile;
        report({
          span: placed.span,
          related: placed.related,
          severity: finding.severity,
          message: `${finding.cause}: the upload PUT is sent without its token and gets 401 Unauthorized`,
          detail: `${FAILS} ${finding.problem}.`,
          fixes:
            inFile && finding.fix
              ? [{ title: finding.fix.title, note: finding.fix.note, safety: finding.fix.safety, edits: [{ span: { start: finding.fix.start, end: finding.fix.end }, newText: finding.fix.newText }] }]
              : [{ title: 'Send the public host:port and scheme in this header (host="harbor.example.com:8443";proto=https), or stop sending it', safety: 'display-only', edits: [] }],
        });
      }
    }
  },
});
