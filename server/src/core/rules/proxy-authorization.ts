import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, effectiveList, HARBOR_REQUESTS } from '../nginx/model';
import type { TextEdit } from '../types';
import { defineRule, type Report } from './rule';
import { describeScope, headerState, headerValue, placeFinding, servedLocations } from '../nginx/frontProxy';

const REQUESTS = [HARBOR_REQUESTS.registryBase, HARBOR_REQUESTS.token, HARBOR_REQUESTS.api, HARBOR_REQUESTS.blobUploadFinish];

/** Deletes a directive with its line when it stands alone on it. */
function deleteDirective(text: string, d: NginxDirective): TextEdit {
  const lineStart = text.lastIndexOf('\n', d.span.start - 1) + 1;
  let lineEnd = text.indexOf('\n', d.span.end);
  if (lineEnd < 0) lineEnd = text.length;
  else lineEnd += 1;
  const before = text.slice(lineStart, d.span.start);
  const after = text.slice(d.span.end, lineEnd);
  if (/^[ \t]*$/.test(before) && /^[ \t]*(#[^\n]*)?\r?\n?$/.test(after)) return { span: { start: lineStart, end: lineEnd }, newText: '' };
  return { span: d.span, newText: '' };
}

export const proxyAuthorization = defineRule({
  meta: {
    id: 'proxy-authorization',
    catalogId: 'HB-PROXY-AUTH-HEADER',
    title: "Front proxy must pass Authorization and Harbor's 401 challenge unchanged",
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'unsafe',
    perServer: true,
    docs: {
      whatItDoes:
        'Looks at the locations of a front nginx that serve `GET /v2/`, `GET /service/token`, `/api/v2.0/…` and the blob uploads, and reports what keeps the client\'s credentials or Harbor\'s challenge from getting through: `proxy_set_header Authorization` with anything but `$http_authorization` (an empty value strips it), `proxy_pass_request_headers off`, nginx\'s own `auth_basic` or `auth_request` in front of Harbor, and `proxy_hide_header WWW-Authenticate`.',
      why:
        '`docker login` or `docker push` fails with 401 Unauthorized even with the right password. Harbor authenticates every request itself: the client sends `Authorization: Basic …` to `/service/token` and `Authorization: Bearer <token>` to `/v2/…` afterwards. nginx basic auth rejects the Bearer token; an overridden or stripped header never reaches Harbor; a hidden `WWW-Authenticate` leaves the client without the token realm.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    auth_basic "Registry";\n    auth_basic_user_file /etc/nginx/htpasswd;\n\n    location / {\n        proxy_pass http://harbor;\n    }\n}' },
      fix:
        'Let Harbor authenticate: remove `auth_basic`/`auth_request` from the locations that serve `/v2/`, `/service/` and `/api/` (or set `auth_basic off;` there), drop `proxy_set_header Authorization` or pass `$http_authorization`, and do not hide `WWW-Authenticate`. The quick fixes are unsafe because they change who is let in; nginx auth has a display-only suggestion.',
      evidence: ['goharbor/harbor#16800 ("It seems your haproxy trim auth header when proxy requests")', 'harbor src/server/middleware/v2auth/auth.go:92-140', 'distribution registry/client/auth/session.go (challenge manager)'],
    },
  },
  check({ nginx, text, report }) {
    if (!nginx || nginx.role !== 'front') return;
    const seen = new Set<NginxDirective>();
    const emit = (d: NginxDirective, finding: Omit<Report, 'span'>): void => {
      if (seen.has(d) || d.templated) return;
      seen.add(d);
      const placed = placeFinding(nginx, d, `${d.name} is set here`, d.span);
      if (!placed) return;
      const related = [...placed.related, ...(finding.related ?? [])];
      report({ span: placed.span, ...finding, related, fixes: placed.inThisFile ? finding.fixes : (finding.fixes ?? []).filter((f) => f.safety === 'display-only') });
    };
    for (const { server, scope, requests } of servedLocations(nginx, REQUESTS)) {
      const labels = requests.map((r) => r.label).join(', ');
      const where = describeScope(scope, server);

      const auth = headerState(scope, 'Authorization').line;
      if (auth && headerValue(auth) !== '$http_authorization') {
        const stripped = headerValue(auth) === '';
        emit(auth, {
          message: `proxy_set_header Authorization ${stripped ? 'is empty and strips' : 'replaces'} the client's credentials: docker login and push get 401 Unauthorized`,
          detail: `docker login and docker push get 401 Unauthorized from Harbor on ${labels}: "proxy_set_header Authorization" ${stripped ? 'with an empty value strips' : 'replaces'} the client's credentials (Basic for the token request, then "Bearer <token>") before Harbor sees them.`,
          fixes: auth.args[1] ? [{ title: "Pass the client's Authorization unchanged ($http_authorization)", safety: 'unsafe', edits: [{ span: auth.args[1].span, newText: '$http_authorization' }] }] : [],
        });
      }

      const passHeaders = effectiveDirective(scope, 'proxy_pass_request_headers');
      if (passHeaders && passHeaders.args[0]?.value === 'off') {
        emit(passHeaders, {
          message: `proxy_pass_request_headers off drops Authorization: docker login and push get 401 Unauthorized`,
          detail: `docker login and docker push get 401 Unauthorized from Harbor on ${labels}: "proxy_pass_request_headers off" drops every client header, Authorization included.`,
          fixes: passHeaders.args[0] ? [{ title: 'Pass the client headers (proxy_pass_request_headers on)', safety: 'unsafe', edits: [{ span: passHeaders.args[0].span, newText: 'on' }] }] : [],
        });
      }

      const basic = effectiveDirective(scope, 'auth_basic');
      if (basic && basic.args[0] && basic.args[0].value !== 'off') {
        emit(basic, {
          message: `auth_basic at ${clip(where, 50)} rejects docker's Bearer token: docker push gets 401 Unauthorized from nginx`,
          detail: `docker push fails with 401 Unauthorized from nginx on ${labels}: auth_basic is in effect at ${where}, and after docker login the client sends "Authorization: Bearer <token>" there, which nginx basic auth rejects before Harbor sees it. Harbor authenticates these requests itself.`,
          fixes: [{ title: `Remove auth_basic from the locations that serve /v2/, /service/ and /api/ (or add "auth_basic off;" there): Harbor checks credentials itself`, safety: 'display-only', edits: [] }],
        });
      }

      const subrequest = effectiveDirective(scope, 'auth_request');
      if (subrequest && subrequest.args[0] && subrequest.args[0].value !== 'off') {
        emit(subrequest, {
          message: `auth_request ${clip(subrequest.args[0].value, 40)} must approve docker's requests: docker login and push can get 401 from nginx`,
          detail: `docker login and docker push can fail with 401 Unauthorized from nginx on ${labels}: auth_request ${subrequest.args[0].value} must approve each of them first, but the docker client only sends Harbor's credentials (Basic, then "Bearer <token>"), which that check does not know.`,
          fixes: [{ title: 'Remove auth_request from the locations that serve /v2/, /service/ and /api/ (or add "auth_request off;" there)', safety: 'display-only', edits: [] }],
        });
      }

      if (requests.includes(HARBOR_REQUESTS.registryBase) || requests.includes(HARBOR_REQUESTS.token)) {
        for (const hide of effectiveList(scope, 'proxy_hide_header').directives) {
          if (hide.args[0]?.value.toLowerCase() !== 'www-authenticate') continue;
          emit(hide, {
            message: `proxy_hide_header WWW-Authenticate removes Harbor's token challenge: docker login fails`,
            detail: `docker login fails: ${HARBOR_REQUESTS.registryBase.label} returns 401 without its "WWW-Authenticate: Bearer realm=…" challenge, because proxy_hide_header WWW-Authenticate removes it, so the client cannot find the token service.`,
            fixes: [{ title: 'Stop hiding WWW-Authenticate', safety: 'unsafe', edits: [deleteDirective(text, hide)] }],
          });
        }
      }
    }
  },
});
