import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS, unreadIncludeInEffect } from '../nginx/model';
import type { Report } from './rule';
import { defineRule } from './rule';
import {
  behindTlsTerminator,
  describeScope,
  existingForwardedProtoMap,
  findMap,
  FWD_PROTO_MAP_VAR,
  forwardedProtoMapLines,
  headerFix,
  headerState,
  headerValue,
  mapEmptyBranch,
  placeFinding,
  rootHttpBlock,
  servedLocations,
  sourceOf,
  terminatesTls,
  upstreamScheme,
} from '../nginx/frontProxy';

const START = HARBOR_REQUESTS.blobUploadStart;
const FINISH = HARBOR_REQUESTS.blobUploadFinish;
const FAILS = `${FINISH.label} (and every PATCH before it) is sent without its token: 401 Unauthorized.`;
const MAP_TEXT = 'map $http_x_forwarded_proto $harbor_fwd_proto { default $http_x_forwarded_proto; "" $scheme; }';

export const proxyForwardedProto = defineRule({
  meta: {
    id: 'proxy-forwarded-proto',
    catalogId: 'HB-PROXY-XFP',
    title: 'Front proxy must tell Harbor the client scheme (X-Forwarded-Proto)',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Finds the `X-Forwarded-Proto` that a front nginx sends with `POST` and `PATCH`/`PUT /v2/<repo>/blobs/uploads/…`, following nginx\'s all-or-nothing inheritance of `proxy_set_header` (a location with any `proxy_set_header` of its own drops every line of the server\'s list). It reports: no `X-Forwarded-Proto` where this nginx terminates TLS and talks plain http to Harbor; a literal `http`; and `$scheme` in a plain-http server that the file shows is itself behind another TLS terminator (it sends HSTS, Secure cookies, or reads `$http_x_forwarded_proto`). Nothing is reported as missing where an `include` in effect could not be read here (a snippet that exists only on the proxy host; Debian\'s `proxy_params` counts for the header lines only).',
      why:
        '`docker push` uploads the first layer and then fails: `HEAD` 401 → `GET /service/token` 200 → `POST /v2/<repo>/blobs/uploads/` 202 → `PUT /v2/<repo>/blobs/uploads/<id>` 401 Unauthorized. The registry builds the upload `Location` from `X-Forwarded-Proto`; without it Harbor uses the scheme of its own listener, `http`, and the docker client only sends its token to the scheme and host it logged in to, so the `PATCH`/`PUT` to `http://…` goes out without `Authorization`.',
      example: {
        language: 'nginx',
        code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    proxy_set_header X-Forwarded-Proto $scheme;\n\n    location /v2/ {\n        proxy_pass http://harbor;\n        proxy_set_header Host $http_host;   # this list hides the server\'s X-Forwarded-Proto\n    }\n}',
      },
      fix:
        'Send `proxy_set_header X-Forwarded-Proto $scheme;` where TLS terminates, in every location that has its own `proxy_set_header` list (or at server level). A proxy that is itself behind a TLS load balancer must pass the balancer\'s value on: declare `map $http_x_forwarded_proto $harbor_fwd_proto { default $http_x_forwarded_proto; "" $scheme; }` in `http {}` and send `X-Forwarded-Proto $harbor_fwd_proto`. The quick fix inserts the line into the block whose list is in effect, copying the Harbor header lines that block hides; it adds the map only when this file has the `http` block. `proxy_redirect http:// https://;` hides the symptom (downgraded to info).',
      versions:
        'Harbor ≥ 2.3.0 and chart ≥ 1.7.0 pass an incoming `X-Forwarded-Proto` through their own nginx; older versions overwrite it with `$scheme` (see internal-forwarded-proto).',
      evidence: [
        'distribution v2.8.3 registry/api/v2/urls.go:49-86 (NewURLBuilderFromRequest), registry/client/auth/session.go:73-103',
        'goharbor/harbor#61, #3114, #12364, #13553, #14893, #16724, #17051, #20530, #20980',
        'goharbor/harbor-helm#1375, #2271, #1632',
        'distribution docs/content/recipes/nginx.md:50-71',
      ],
    },
  },
  check({ nginx, report }) {
    if (!nginx || nginx.role !== 'front') return;
    const seen = new Set<NginxDirective>();
    for (const served of servedLocations(nginx, [START, HARBOR_REQUESTS.blobUploadChunk, FINISH])) {
      const { server, scope, proxyPass } = served;
      // The registry reads `Forwarded: proto=` before X-Forwarded-Proto: proxy-forwarded-host checks that one.
      const forwarded = headerState(scope, 'Forwarded').line;
      if (forwarded && /proto=/i.test(headerValue(forwarded))) continue;
      const tls = terminatesTls(server);
      const upstream = upstreamScheme(proxyPass);
      const state = headerState(scope, 'X-Forwarded-Proto');
      const value = state.line ? headerValue(state.line) : '';
      const lb = tls ? [] : behindTlsTerminator(server, scope);
      const where = describeScope(state.level ?? server.scope, server); // no list in effect: the server lacks the line (the fix adds it there)
      const redirect = effectiveDirective(scope, 'proxy_redirect');
      const mitigated = redirect !== undefined && /^http:\/\//.test(redirect.args[0]?.value ?? '') && /^(https|\$scheme):\/\//.test(redirect.args[1]?.value ?? '');
      const severity: Report['severity'] = mitigated ? 'info' : undefined;
      const mitigation = mitigated ? ` The proxy_redirect here rewrites http:// Locations, which hides this for responses it sees.` : '';

      if (value === '') {
        if (!tls || upstream !== 'http') continue;
        if (!state.line && unreadIncludeInEffect(nginx, scope, state.level, true)) continue; // an include not read here may set it
        const key = state.line ?? state.level?.block ?? server.scope.block!;
        if (seen.has(key)) continue;
        seen.add(key);
        const target = state.line ?? state.level?.block ?? server.scope.block!;
        const placed = placeFinding(nginx, target, `the proxy_set_header list of ${where} is here`);
        if (!placed) continue;
        const hidden = state.hiddenLines;
        const because = state.line
          ? `X-Forwarded-Proto is set to an empty value at ${where}, so nginx does not send it`
          : hidden.length > 0
            ? `${where} sets its own proxy_set_header lines, which hide "proxy_set_header ${sourceOf(hidden[0], nginx.files)}" of ${describeScope(state.hiddenLevel, server)} (nginx inherits proxy_set_header only when a level sets none)`
            : `no proxy_set_header X-Forwarded-Proto is in effect at ${where}`;
        const edits = headerFix(nginx, server, state, 'X-Forwarded-Proto', '$scheme');
        report({
          span: placed.span,
          severity,
          message: `${state.line ? `X-Forwarded-Proto is empty at ${clip(where, 40)}` : hidden.length > 0 ? `${clip(where, 40)} hides X-Forwarded-Proto` : `No X-Forwarded-Proto at ${clip(where, 40)}`}: the upload PUT gets 401 Unauthorized`,
          detail: `${FAILS} ${START.label} gets 202 with an http:// upload Location: this server terminates TLS and proxies to Harbor over http, but ${because}, so Harbor builds the Location with its own scheme, http.${mitigation}`,
          related: [...placed.related, ...hidden.map((d) => ({ file: d.file, span: d.span, message: `hidden by the proxy_set_header list of ${where}`, text: nginx.files.find((f) => f.path === d.file)?.text }))],
          fixes: edits
            ? [
                {
                  title: hidden.length > 0 ? 'Copy the hidden header lines here, adding X-Forwarded-Proto' : `Add "proxy_set_header X-Forwarded-Proto $scheme;" to ${clip(where, 25)}`,
                  note: hidden.length > 0 ? `Copies the hidden Harbor header lines into ${where}, with "proxy_set_header X-Forwarded-Proto $scheme;".` : undefined,
                  safety: 'safe',
                  edits,
                },
              ]
            : [],
        });
        continue;
      }

      const line = state.line!;
      if (seen.has(line) || line.templated) continue;
      let problem: string | undefined;
      let cause = '';
      let wantMap = false;
      const lower = value.toLowerCase();
      if (lower === 'http' && (tls || lb.length > 0 || upstream === 'https')) {
        cause = `X-Forwarded-Proto is the literal "http" at ${clip(where, 40)}`;
        problem = `X-Forwarded-Proto is the literal "http" at ${where}, so Harbor builds the upload Location with http://`;
        wantMap = !tls;
      } else if (value === '$scheme' && !tls && lb.length > 0) {
        cause = `X-Forwarded-Proto $scheme at ${clip(where, 40)} replaces the TLS balancer's https`;
        problem = `this server is plain http behind another TLS terminator (${lb.join('; ')}), and "X-Forwarded-Proto $scheme" at ${where} replaces the balancer's https with http`;
        wantMap = true;
      } else if (value === '$http_x_forwarded_proto' && tls && upstream === 'http') {
        cause = `X-Forwarded-Proto $http_x_forwarded_proto at ${clip(where, 40)} is empty (docker sends none)`;
        problem = `this server terminates TLS but passes on the client's X-Forwarded-Proto, which docker never sends: the header is empty, nginx drops it, and Harbor uses its own scheme, http`;
        wantMap = true;
      } else if (value.startsWith('$') && value !== '$scheme' && value !== '$http_x_forwarded_proto') {
        const map = findMap(server, value);
        const branch = map ? mapEmptyBranch(map) : undefined;
        if (branch?.toLowerCase() === 'http' && (tls || lb.length > 0)) {
          cause = `The map for ${clip(value, 30)} yields "http" when no X-Forwarded-Proto arrives`;
          problem = `the map for ${value} yields "http" when the client sends no X-Forwarded-Proto, so Harbor builds the upload Location with http://`;
          wantMap = !tls;
        }
      }
      if (!problem) continue;
      seen.add(line);
      const placedLine = placeFinding(nginx, line, 'X-Forwarded-Proto is set here', line.span);
      if (!placedLine) continue;
      const fixes: NonNullable<Report['fixes']> = [];
      if (line.file === nginx.root.path && line.args[1]) {
        const existing = existingForwardedProtoMap(server);
        const http = rootHttpBlock(nginx, server);
        if (wantMap && existing) {
          fixes.push({ title: `Send X-Forwarded-Proto ${existing}`, note: `${existing} is the balancer's value, else this server's scheme.`, safety: 'safe', edits: [{ span: line.args[1].span, newText: existing }] });
        } else if (wantMap && http) {
          const mapEdit = forwardedProtoMapLines(nginx.root.text, http);
          if (mapEdit) {
            fixes.push({
              title: `Map ${FWD_PROTO_MAP_VAR} in http {} and send it as X-Forwarded-Proto`,
              note: `Adds "${MAP_TEXT}" to http {}: the balancer's value, else this server's scheme.`,
              safety: 'safe',
              edits: [mapEdit, { span: line.args[1].span, newText: FWD_PROTO_MAP_VAR }],
            });
          }
        } else if (wantMap) {
          fixes.push({ title: `In nginx.conf's http {} add "${MAP_TEXT}" and send "X-Forwarded-Proto ${FWD_PROTO_MAP_VAR}" here`, safety: 'display-only', edits: [] });
        } else {
          fixes.push({ title: 'Send X-Forwarded-Proto $scheme (this server terminates TLS)', safety: 'safe', edits: [{ span: line.args[1].span, newText: '$scheme' }] });
        }
      }
      report({
        span: placedLine.span,
        related: placedLine.related,
        severity,
        message: `${cause}: the upload PUT gets 401 Unauthorized`,
        detail: `${FAILS} ${START.label} gets 202 with an http:// upload Location: ${problem}.${mitigation}`,
        fixes,
      });
    }
  },
});
