import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { HARBOR_REQUESTS, locationFor } from '../nginx/model';
import { defineRule } from './rule';
import { anchorFor, harborFrontServers, parseProxyTarget, proxyPassOf, relatedFor, subPathMounts } from '../nginx/frontProxy';

export const proxyRootPath = defineRule({
  meta: {
    id: 'proxy-root-path',
    catalogId: 'HB-PROXY-ROOT-PATH',
    title: 'Harbor served under a sub-path',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'display-only',
    perServer: true,
    docs: {
      whatItDoes:
        'Reports a front nginx that serves Harbor only under a prefix: a `location /harbor` or `/harbor/` that proxies, whether its `proxy_pass` URI strips the prefix (`proxy_pass http://harbor/;`) or passes it on (`proxy_pass http://harbor;`, so Harbor receives `/harbor/v2/`), or a `rewrite ^/harbor/(.*) /$1`, while `/v2/` itself does not reach Harbor. Only prefixes that name Harbor (or stripped prefixes whose upstream names Harbor) count, so other applications sharing the server are left alone.',
      why:
        'Harbor must sit at the root of its domain. docker always talks to `https://<host>/v2/`, and Harbor answers with absolute paths: the token realm `https://<host>/service/token`, upload `Location`s under `/v2/`, portal calls to `/api/` and `/c/`. Under a sub-path `docker login` gets `404 Not Found` from `/v2/`, and the portal loads without styles or logs in against the wrong URL. harbor-helm: "the url must be a domain root… harbor-helm doesn\'t support running on a path".',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name apps.example.com;\n    client_max_body_size 0;\n    location /harbor/ {\n        proxy_pass http://harbor/;\n    }\n}' },
      fix: 'Give Harbor its own host name (a `server` with its own `server_name`, or a subdomain) and proxy `location /` there; set `external_url`/`externalURL` to that root URL. There is no automatic fix.',
      versions: 'All Harbor versions.',
      evidence: ['goharbor/website docs/install-config/harbor-ha-helm.md', 'goharbor/harbor#3114'],
    },
  },
  check({ nginx, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const server of harborFrontServers(nginx)) {
      const mounts = subPathMounts(server.scope);
      if (mounts.length === 0) continue;
      // Also reachable at the root: docker works; leave it to the user.
      const v2 = locationFor(server.scope, HARBOR_REQUESTS.registryBase.path);
      const pass = proxyPassOf(v2);
      if (pass && !mounts.some((m) => m.directive === v2.block) && parseProxyTarget(pass.args[0]?.value ?? '') !== undefined) continue;
      for (const mount of mounts) {
        if (reported.has(mount.directive)) continue;
        reported.add(mount.directive);
        const anchored = anchorFor(nginx, mount.directive);
        if (!anchored) continue;
        report({
          span: anchored.inThisFile ? (mount.directive.name === 'location' ? mount.directive.nameSpan : mount.directive.span) : anchored.anchor.span,
          related: anchored.inThisFile ? [] : relatedFor(nginx, mount.directive, `Harbor is mounted under ${mount.prefix} here`),
          message: `Harbor is served under the sub-path ${clip(mount.prefix, 40)}: docker's requests to /v2/ get 404 Not Found`,
          detail: `Harbor is served under ${mount.prefix} here, but it only works at the root of a domain: docker requests /v2/ and gets 404, and the token realm /service/token and the portal's /api/ and /c/ calls miss the prefix.`,
          fixes: [{ title: 'Serve Harbor at the root of its own host name (server_name harbor.example.com; location / { proxy_pass ...; })', safety: 'display-only', edits: [] }],
        });
      }
    }
  },
});
