import { clip } from './support/message';
import type { NginxDirective, NginxFile } from '../nginx/ast';
import { effectiveList, HARBOR_REQUESTS, locationFor, locationPattern, type NginxModel, type Scope } from '../nginx/model';
import { findAll, findAllInFiles } from '../nginx/walk';
import { defineRule } from './rule';
import { anchorFor, harborFrontServers, relatedFor } from '../nginx/frontProxy';

const API = HARBOR_REQUESTS.api;

/** Scopes that serve `/api/`: the probe's location and any location written for /api. */
function apiScopes(server: Scope): Scope[] {
  const scopes: Scope[] = [locationFor(server, API.path)];
  const stack: Scope[] = [server];
  while (stack.length > 0) {
    const scope = stack.pop()!;
    for (const directive of scope.directives) {
      if (directive.name !== 'location' || !directive.block) continue;
      const child: Scope = { block: directive, parent: scope, directives: directive.block };
      const { modifier, pattern } = locationPattern(directive);
      if (modifier !== '@' && /^\^?\/api(\/|$|v)/.test(pattern) && !scopes.some((s) => s.block === directive)) scopes.push(child);
      stack.push(child);
    }
  }
  return scopes;
}

// Found once per parse (keyed by the model's files, which a view of the model shares).
const bearerMapIndexes = new WeakMap<readonly NginxFile[], Map<string, NginxDirective>>();

/** A `map` in the config whose values include a literal `Bearer ...`, by the variable it defines. */
function bearerMaps(nginx: NginxModel): Map<string, NginxDirective> {
  const known = bearerMapIndexes.get(nginx.files);
  if (known) return known;
  const maps = new Map<string, NginxDirective>();
  bearerMapIndexes.set(nginx.files, maps);
  for (const map of findAllInFiles(nginx.files, 'map')) {
    const variable = map.args[1]?.value;
    if (!variable || !map.block) continue;
    const entry = map.block.find((d) => d.args.some((a) => /^bearer\s/i.test(a.value)) || /^bearer$/i.test(d.args[0]?.value ?? ''));
    if (entry) maps.set(variable, entry);
  }
  return maps;
}

export const proxyApiBearer = defineRule({
  meta: {
    id: 'proxy-api-bearer',
    catalogId: 'HB-ROBOT-API-AUTH',
    title: 'Front proxy sends a Bearer token to the Harbor API',
    appliesTo: ['nginx'],
    defaultSeverity: 'warning',
    fixSafety: 'display-only',
    perServer: true,
    docs: {
      whatItDoes:
        'Reports a front nginx that sets `proxy_set_header Authorization "Bearer ..."` where it serves `/api/` (directly, or through a `map` whose value is `Bearer ...`), following the all-or-nothing inheritance of `proxy_set_header`.',
      why:
        "Harbor's API (`/api/v2.0/...`) takes Basic authentication only: a robot account sends `Authorization: Basic` with `robot$name:secret`. The bearer tokens that `/service/token` issues are registry tokens and are checked only on `/v2/`, so an API call with one (for example a robot deleting a tag) answers `401 Unauthorized`. The one exception is `auth_mode: oidc_auth`, where Harbor also accepts an OIDC provider's ID token as Bearer on the API.",
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    location /api/ {\n        proxy_pass http://harbor;\n        proxy_set_header Host $http_host;\n        proxy_set_header Authorization "Bearer $ci_token";\n    }\n}' },
      fix: "Let clients send their own `Authorization` header (remove the override), and have robot accounts use Basic auth (`curl -u 'robot$name:secret'`; the `$` needs single quotes in a shell). If the proxy must inject credentials, inject `Basic <base64 of robot$name:secret>`. Ignore this if Harbor uses OIDC and the token is an ID token from your provider. The fix is guidance only: removing the line changes which headers nginx sends.",
      versions: 'Harbor 2.x.',
      evidence: ['goharbor/harbor#20738, #16133, #16398, #20925', 'goharbor/harbor api/v2.0/swagger.yaml (basic security only)', 'goharbor/harbor src/server/middleware/security/v2_token.go, idtoken.go'],
    },
  },
  check({ nginx, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    const maps = bearerMaps(nginx);
    for (const server of harborFrontServers(nginx)) {
      for (const scope of apiScopes(server.scope)) {
        const { directives } = effectiveList(scope, 'proxy_set_header');
        for (const header of directives) {
          if (header.args[0]?.value.toLowerCase() !== 'authorization' || header.templated || reported.has(header)) continue;
          const value = header.args[1]?.value ?? '';
          const literal = /^\s*bearer\s/i.test(value);
          const mapped = !literal && /^\$\w+$/.test(value) ? maps.get(value) : undefined;
          if (!literal && !mapped) continue;
          reported.add(header);
          const anchored = anchorFor(nginx, header);
          if (!anchored) continue;
          const related = [...(anchored.inThisFile ? [] : relatedFor(nginx, header, 'Authorization is set here')), ...(mapped ? relatedFor(nginx, mapped, `${value} becomes a Bearer value here`) : [])];
          report({
            span: anchored.inThisFile ? header.span : anchored.anchor.span,
            message: `proxy_set_header Authorization sends a Bearer token${mapped ? ` (through ${clip(value, 30)})` : ''}: every Harbor API call gets 401 Unauthorized`,
            detail: `${API.label} and every other Harbor API call get 401 Unauthorized: this proxy sends "Authorization: Bearer ..."${mapped ? ` (through ${value})` : ''}, but Harbor's API only accepts Basic auth (robot accounts: robot$name:secret). Bearer tokens from /service/token are registry tokens, valid on /v2/ only; only with auth_mode oidc_auth does the API take an OIDC ID token.`,
            related,
            fixes: [{ title: 'Let clients send Basic auth (robot$name:secret) instead of overriding Authorization with a Bearer token', safety: 'display-only', edits: [] }],
          });
        }
      }
    }
  },
});
