import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { findAll } from '../nginx/walk';
import { defineRule } from './rule';
import { anchorFor, harborFrontServers, isRegistryHost, parseProxyTarget, relatedFor, upstreamMembers } from '../nginx/frontProxy';

export const proxyRegistryBypass = defineRule({
  meta: {
    id: 'proxy-registry-bypass',
    catalogId: 'HB-PROXY-REGISTRY-BYPASS',
    title: "Front proxy sends requests straight to Harbor's registry, around core",
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'display-only',
    perServer: true,
    docs: {
      whatItDoes:
        "Reports a `proxy_pass` in a front nginx that targets Harbor's internal registry container or service (`registry:5000`, `harbor-registry`, `<release>-harbor-registry.<namespace>.svc`), directly or through an `upstream` block.",
      why:
        "In Harbor 2.x every `/v2/` request must go through core: core checks the bearer token, project permissions (RBAC), quotas and immutability rules, then calls the registry with the registry's own basic-auth credentials. Sent straight to the registry, pushes and pulls answer `401 Unauthorized` (the registry only knows core's htpasswd user), or, with the registry's auth loosened, skip all of Harbor's access control and bookkeeping: images pushed this way never show up in the portal. Harbor's own nginx never proxies to the registry.",
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    client_max_body_size 0;\n    location /v2/ {\n        proxy_pass http://registry:5000;\n    }\n}' },
      fix: "Proxy to Harbor's nginx (the installer's `proxy` container, the chart's `<release>-harbor` service or ingress) or to core (`/v2/` → `core:8080/v2/`). There is no automatic fix: the right host depends on your deployment.",
      versions: 'Harbor 2.x (core proxies /v2/ since 2.0).',
      evidence: ['goharbor/harbor src/server/registry/proxy.go (basicAuthDirector)', 'goharbor/harbor#37'],
    },
  },
  check({ nginx, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const server of harborFrontServers(nginx)) {
      for (const pass of findAll(server.scope.directives, 'proxy_pass')) {
        if (pass.templated || reported.has(pass)) continue;
        const target = parseProxyTarget(pass.args[0]?.value ?? '');
        if (!target || target.variable) continue;
        const viaUpstream = target.port === undefined ? upstreamMembers(nginx, target.host) : [];
        const direct = isRegistryHost(target.host, target.port);
        const member = viaUpstream.find((m) => isRegistryHost(m.host, m.port));
        if (!direct && !member) continue;
        reported.add(pass);
        const anchored = anchorFor(nginx, pass);
        if (!anchored) continue;
        const where = member ? `${pass.args[0].value} (upstream server ${member.host}${member.port ? `:${member.port}` : ''})` : pass.args[0].value;
        report({
          span: anchored.inThisFile ? pass.span : anchored.anchor.span,
          related: anchored.inThisFile ? [] : relatedFor(nginx, pass, 'proxy_pass to the registry is set here'),
          message: `proxy_pass ${clip(member ? `${member.host}${member.port ? `:${member.port}` : ''}` : pass.args[0].value, 50)} is Harbor's registry, bypassing core: push and pull get 401 Unauthorized`,
          detail: `proxy_pass to ${where} goes straight to Harbor's registry and around core: pushes and pulls get 401 Unauthorized, or skip Harbor's token check, project permissions and quotas. Proxy to Harbor's nginx or to core instead.`,
          fixes: [{ title: "Proxy to Harbor's nginx or core instead of the registry", safety: 'display-only', edits: [] }],
        });
      }
    }
  },
});
