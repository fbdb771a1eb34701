import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS, locationFor } from '../nginx/model';
import type { TextEdit } from '../types';
import { defineRule } from './rule';
import { indentUnit, insertFirstInBlock } from '../nginx/edits';
import { describeScope, headerState, headerValue, terminatesTls } from '../nginx/frontProxy';

const PROBES = [HARBOR_REQUESTS.portal, HARBOR_REQUESTS.login, HARBOR_REQUESTS.api, HARBOR_REQUESTS.token, HARBOR_REQUESTS.registryBase, HARBOR_REQUESTS.blobUploadStart];
const START = HARBOR_REQUESTS.blobUploadStart;
const FINISH = HARBOR_REQUESTS.blobUploadFinish;

export const internalForwardedProto = defineRule({
  meta: {
    id: 'internal-forwarded-proto',
    catalogId: 'HB-INTERNAL-XFP',
    title: "Harbor's own nginx must not overwrite X-Forwarded-Proto with $scheme",
    appliesTo: ['nginx'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Checks Harbor's own generated nginx.conf (installer `common/config/nginx/nginx.conf`, the chart's `<release>-nginx` ConfigMap): a plain-http server whose locations for `/`, `/c/`, `/api/`, `/service/` or `/v2/` send `proxy_set_header X-Forwarded-Proto $scheme;`. That is the template of Harbor before 2.3.0 (chart before 1.7.0); newer ones pass an incoming `X-Forwarded-Proto` on through `map $http_x_forwarded_proto $x_forwarded_proto`. Front-proxy rules never run on this file.",
      why:
        'Behind a TLS-terminating proxy or load balancer, `docker push` gets `POST /v2/<repo>/blobs/uploads/` 202 and then `PUT /v2/<repo>/blobs/uploads/<id>` 401 Unauthorized: Harbor\'s nginx replaces the proxy\'s `X-Forwarded-Proto: https` with its own scheme, `http`, so the registry returns an `http://` upload Location and the docker client does not send its token there. A warning, because a Harbor that clients reach directly over http is not affected.',
      example: { language: 'nginx', code: 'location /v2/ {\n  proxy_pass http://core/v2/;\n  proxy_set_header Host $http_host;\n  proxy_set_header X-Forwarded-Proto $scheme;\n}' },
      fix:
        "Upgrade Harbor (≥ 2.3.0) or the chart (≥ 1.7.0). Harbor's troubleshooting guide says to remove the line from `location /`, `/v2/` and `/service/`. The quick fix adds Harbor's own `map $http_x_forwarded_proto $x_forwarded_proto { default $http_x_forwarded_proto; \"\" $scheme; }` to `http {}` and sends `$x_forwarded_proto` in every such location. The installer's `./prepare` regenerates this file: carry the change into your deployment, or it is lost.",
      versions: 'Harbor < 2.3.0 (map added in goharbor/harbor 387be3686a), chart < 1.7.0 (goharbor/harbor-helm e9ea7f8).',
      evidence: ['goharbor/harbor#61, #14893', 'website docs/install-config/troubleshoot-installation.md:35-44', 'bitnami/bitnami-docker-harbor-portal#12', 'distribution docs/content/recipes/nginx.md:50-71'],
    },
  },
  check({ nginx, text, report }) {
    if (!nginx || nginx.role !== 'internal') return;
    const offending: { line: NginxDirective; where: string }[] = [];
    for (const server of nginx.servers) {
      if (!server.scope.block || terminatesTls(server)) continue;
      for (const probe of PROBES) {
        const scope = locationFor(server.scope, probe.path);
        if (!effectiveDirective(scope, 'proxy_pass')) continue;
        const line = headerState(scope, 'X-Forwarded-Proto').line;
        if (!line || line.templated || headerValue(line) !== '$scheme' || offending.some((o) => o.line === line)) continue;
        offending.push({ line, where: describeScope(scope, server) });
      }
    }
    if (offending.length === 0) return;
    const edits: TextEdit[] = [];
    const http = nginx.root.directives.find((d) => d.name === 'http' && d.block);
    const hasMap = http?.block?.some((d) => d.name === 'map' && d.args[1]?.value === '$x_forwarded_proto');
    if (http && !hasMap) {
      const open = insertFirstInBlock(text, http, ['map $http_x_forwarded_proto $x_forwarded_proto {']);
      if (open) {
        const eol = text.includes('\r\n') ? '\r\n' : '\n';
        const indent = /^[ \t]*/.exec(open.newText)![0];
        const inner = indent + indentUnit(text, http, indent);
        edits.push({ span: open.span, newText: open.newText.endsWith(eol) ? `${indent}map $http_x_forwarded_proto $x_forwarded_proto {${eol}${inner}default $http_x_forwarded_proto;${eol}${inner}"" $scheme;${eol}${indent}}${eol}` : ' map $http_x_forwarded_proto $x_forwarded_proto { default $http_x_forwarded_proto; "" $scheme; }' });
      }
    }
    const fixable = (http !== undefined && (hasMap || edits.length > 0));
    for (const { line } of offending) if (line.file === nginx.root.path && line.args[1]) edits.push({ span: line.args[1].span, newText: '$x_forwarded_proto' });
    for (const { line, where } of offending) {
      if (line.file !== nginx.root.path) continue;
      report({
        span: line.span,
        message: `Behind a TLS-terminating proxy or load balancer, ${FINISH.label} is sent without its token: 401 Unauthorized. This is the nginx of Harbor < 2.3.0 (chart < 1.7.0): at ${where} it overwrites the proxy's "X-Forwarded-Proto: https" with its own $scheme, http, so ${START.label} returns an http:// upload Location.`,
        fixes: fixable
          ? [{ title: 'Use Harbor\'s map: send "X-Forwarded-Proto $x_forwarded_proto" (the proxy\'s value, else $scheme) in every location (lost on ./prepare)', safety: 'safe', edits }]
          : [{ title: 'Upgrade to Harbor ≥ 2.3.0 / chart ≥ 1.7.0, or remove this line from location /, /v2/ and /service/', safety: 'display-only', edits: [] }],
      });
    }
  },
});
