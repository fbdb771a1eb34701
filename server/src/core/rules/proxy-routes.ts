import { listShort } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { HARBOR_REQUESTS, locationFor, type HarborRequest, type Scope } from '../nginx/model';
import { findAll } from '../nginx/walk';
import { defineRule } from './rule';
import { anchorFor, harborFrontServers, isRegistryHost, own, parseProxyTarget, proxyPassOf, relatedFor, subPathMounts } from '../nginx/frontProxy';

/** The requests that must reach core, and what breaks without them. */
const PROBES: { request: HarborRequest; breaks: string }[] = [
  { request: HARBOR_REQUESTS.portal, breaks: 'the portal does not load' },
  { request: HARBOR_REQUESTS.registryBase, breaks: '`docker login`/`docker push` get no registry API' },
  { request: HARBOR_REQUESTS.token, breaks: '`docker login` cannot fetch a token' },
  { request: HARBOR_REQUESTS.api, breaks: 'the portal and API clients get no API' },
  { request: HARBOR_REQUESTS.login, breaks: 'portal login and the OIDC callback fail' },
];

/** Directives that hand the request to something nginx cannot judge from here: leave those alone. */
function hasOtherHandler(scope: Scope): boolean {
  return scope.directives.some((d) => (d.name.endsWith('_pass') && d.name !== 'proxy_pass') || /_by_lua|^(rewrite|if|error_page|echo|stub_status|perl|js_content|auth_request|internal|limit_except|try_files)$/.test(d.name) || d.templated);
}

type Outcome = { kind: 'ok' } | { kind: 'skip' } | { kind: 'bad'; anchor: NginxDirective; what: string };

function outcomeOf(scope: Scope, server: Scope, coreNames: boolean, forPortal: boolean): Outcome {
  const pass = proxyPassOf(scope);
  if (pass) {
    const target = parseProxyTarget(pass.args[0]?.value ?? '');
    if (!target || target.variable) return { kind: 'ok' };
    if (isRegistryHost(target.host, target.port)) return { kind: 'skip' }; // proxy-registry-bypass reports it
    // A front that talks to core and portal directly: core's paths must not go to the portal.
    if (coreNames && !forPortal && /portal/.test(target.host)) return { kind: 'bad', anchor: pass, what: `${where(scope)} sends them to the portal (${pass.args[0].value}), which does not serve them` };
    return { kind: 'ok' };
  }
  if (hasOtherHandler(scope)) return { kind: 'skip' };
  const ret = own(scope, 'return').pop();
  if (ret) {
    const code = Number(ret.args[0]?.value);
    if (Number.isNaN(code) || (code >= 300 && code < 400) || ret.args.length === 1 && /^https?:/.test(ret.args[0].value)) return { kind: 'skip' };
    return { kind: 'bad', anchor: ret, what: `${where(scope)} answers them itself with return ${ret.args.map((a) => a.value).join(' ')}` };
  }
  if (scope === server) {
    // No location matches: nginx serves the file system (404), unless the server answers everything itself.
    if (own(server, 'return').length > 0) return { kind: 'skip' };
    return { kind: 'bad', anchor: server.block!, what: 'no location matches them, so nginx looks for a file on disk (404)' };
  }
  return { kind: 'bad', anchor: scope.block!, what: `${where(scope)} serves them from disk instead of proxying them (404)` };
}

function where(scope: Scope): string {
  return scope.block ? `${scope.block.name} ${scope.block.args.map((a) => a.value).join(' ')}` : 'this server';
}

export const proxyRoutes = defineRule({
  meta: {
    id: 'proxy-routes',
    catalogId: 'HB-PROXY-ROUTES',
    title: "Front proxy does not send all of Harbor's paths to Harbor",
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'display-only',
    perServer: true,
    docs: {
      whatItDoes:
        'Resolves, with nginx\'s own location matching, where a front nginx sends `GET /` (the portal), `GET /v2/`, `GET /service/token`, `GET /api/v2.0/projects` and `POST /c/login`. Each must reach a location that proxies to Harbor. A request that matches no location (served from disk), a location without `proxy_pass` (`root`, `alias`), a `return` with a non-redirect status, or, in a proxy that talks to core and portal directly, a location that sends core\'s paths to the portal, is an error. A single `location /` that proxies to Harbor\'s own nginx covers everything.',
      why:
        'Harbor is more than `/v2/`: `docker login` follows the `/v2/` challenge to `/service/token`, the portal calls `/api/` and logs in through `/c/`. A missing route shows up as `docker login` failing with `404 Not Found` or a token error while the portal still loads, as "default backend - 404" on push, or as a portal whose login never completes.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    client_max_body_size 0;\n    location /v2/ {\n        proxy_pass http://harbor-core/v2/;\n    }\n    location /api/ {\n        proxy_pass http://harbor-core/api/;\n    }\n}' },
      fix:
        'Proxy everything with one `location /` to Harbor\'s nginx, or, when talking to core and portal directly, route `/v2/`, `/service/`, `/api/` and `/c/` to core and `/` to the portal, as the chart\'s ingress does. The quick fix is guidance only: which upstream to add is your call.',
      versions: 'All Harbor 2.x versions (`/c/` exists since Harbor 1.8).',
      evidence: ['goharbor/harbor#14593, #20530', 'goharbor/harbor-helm#61', 'harbor-helm templates/ingress/ingress.yaml'],
    },
  },
  check({ nginx, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const server of harborFrontServers(nginx)) {
      if (subPathMounts(server.scope).length > 0) continue; // proxy-root-path explains it
      // Does this front talk to core directly (a `core` upstream or host)?
      const coreNames = findAll(server.scope.directives, 'proxy_pass').some((pass) => {
        const target = parseProxyTarget(pass.args[0]?.value ?? '');
        return target !== undefined && /(^|[-_])core($|[-_.])/.test(target.host);
      });
      const byAnchor = new Map<NginxDirective, { what: string; requests: string[]; breaks: string[] }>();
      for (const probe of PROBES) {
        const scope = locationFor(server.scope, probe.request.path);
        const outcome = outcomeOf(scope, server.scope, coreNames, probe.request === HARBOR_REQUESTS.portal);
        if (outcome.kind !== 'bad') continue;
        const entry = byAnchor.get(outcome.anchor) ?? { what: outcome.what, requests: [], breaks: [] };
        entry.requests.push(probe.request.label);
        entry.breaks.push(probe.breaks);
        byAnchor.set(outcome.anchor, entry);
      }
      for (const [anchor, entry] of byAnchor) {
        if (reported.has(anchor)) continue;
        reported.add(anchor);
        const anchored = anchorFor(nginx, anchor);
        if (!anchored) continue;
        const span = anchored.inThisFile ? (anchor === server.scope.block || anchor.name === 'location' ? anchor.nameSpan : anchor.span) : anchored.anchor.span;
        report({
          span,
          related: anchored.inThisFile ? [] : relatedFor(nginx, anchor, `this ${anchor.name} is here`),
          message: `${listShort(entry.requests)} never ${entry.requests.length === 1 ? 'reaches' : 'reach'} Harbor: ${entry.what}`,
          detail: `In this server, ${entry.requests.map((r) => `\`${r}\``).join(', ')} ${entry.requests.length === 1 ? 'does' : 'do'} not reach Harbor: ${entry.what}. So ${[...new Set(entry.breaks)].join('; ')}.`,
          fixes: [{ title: 'Route /v2/, /service/, /api/ and /c/ to Harbor core (or everything with location / to Harbor\'s nginx)', safety: 'display-only', edits: [] }],
        });
      }
    }
  },
});
