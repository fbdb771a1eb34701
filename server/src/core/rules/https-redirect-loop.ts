import { clip } from './support/message';
import { dirname, join } from 'node:path/posix';
import { decodeBytes } from '../decode';
import { findAll } from '../nginx/walk';
import type { FileAccess } from '../types';
import { locateInstallerConfig } from '../yaml/harborYaml';
import { parseYaml, type YamlEntry } from '../yaml/yamlModel';
import { defineRule } from './rule';
import { anchorFor, harborFrontServers, parseProxyTarget, relatedFor, upstreamMembers } from '../nginx/frontProxy';

interface InstallerHttps {
  path: string;
  text: string;
  httpPort: number;
  httpsPort: number;
  httpsKey: YamlEntry;
}

/** harbor.yml next to the proxy config or a level or two up (the usual layouts of a repo that holds both). */
function candidates(nginxPath: string): string[] {
  const dir = dirname(nginxPath.replace(/\\/g, '/'));
  const up1 = dirname(dir);
  const up2 = dirname(up1);
  const names = [join(dir, 'harbor.yml'), join(up1, 'harbor.yml'), join(up2, 'harbor.yml')];
  for (const base of [dir, up1, up2]) for (const sub of ['harbor', 'install', 'config', 'installer']) names.push(join(base, sub, 'harbor.yml'));
  return [...new Set(names)].filter((name) => name !== nginxPath);
}

function portOf(entry: YamlEntry | undefined, fallback: number): number | undefined {
  if (!entry || entry.value === null || entry.value === undefined) return fallback;
  if (entry.generated) return undefined;
  const port = Number(entry.value);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function findInstallerHttps(files: FileAccess, nginxPath: string): Promise<InstallerHttps | undefined> {
  if (!nginxPath.startsWith('/')) return undefined;
  for (const path of candidates(nginxPath)) {
    let text: string;
    try {
      const read = await files.readFile(path, { maxBytes: 256 * 1024 });
      if (!read.ok) continue;
      text = decodeBytes(read.bytes).text;
    } catch {
      continue;
    }
    const installer = locateInstallerConfig(parseYaml(text));
    if (!installer) continue;
    // The first harbor.yml found decides; `https:` absent or null means Harbor serves plain HTTP.
    const https = installer.getMap('https');
    const httpsKey = installer.get('https');
    if (!https || !httpsKey || https.entries().length === 0) return undefined;
    const httpPort = portOf(installer.get('http.port'), 80);
    const httpsPort = portOf(installer.get('https.port'), 443);
    if (httpPort === undefined || httpsPort === undefined) return undefined;
    return { path, text, httpPort, httpsPort, httpsKey };
  }
  return undefined;
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|^\[/;

/** The installer's docker-compose names its nginx service `proxy` and the container `nginx`. */
const HARBOR_NGINX_CONTAINER = /^(nginx|proxy|harbor[-_](nginx|proxy))$/;

export const httpsRedirectLoop = defineRule({
  meta: {
    id: 'https-redirect-loop',
    catalogId: 'HB-HTTPS-REDIRECT-LOOP',
    title: "Front proxy talks HTTP to Harbor while Harbor's own HTTPS is on",
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'unsafe',
    docs: {
      whatItDoes:
        "Reads the installer's `harbor.yml` next to a front nginx config (same folder, one or two levels up, or a `harbor/`, `install/`, `config/` folder there). When it has an `https:` block, a `proxy_pass http://…` to Harbor's HTTP port (`http.port`, default 80; or port 8080 of Harbor's nginx container) is an error. Without a harbor.yml nearby nothing is reported.",
      why:
        "With `https:` in harbor.yml, Harbor's nginx answers its HTTP port only with `308 https://$host:<https port>$request_uri`. Behind a proxy that talks HTTP to that port, every request is redirected: browsers end in `ERR_TOO_MANY_REDIRECTS`, and docker is sent around the proxy to `https://<host>:<https port>` (`docker login` fails with a connection or certificate error, or pushes go to the wrong port).",
      example: { language: 'nginx', code: '# harbor.yml next to this file has an https: block, http.port 8080\nserver {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    location / {\n        proxy_pass http://10.0.0.12:8080;\n    }\n}' },
      fix:
        "Either terminate TLS only at the front: remove harbor.yml's `https:` block, set `external_url: https://harbor.example.com` and re-run `./prepare`; or proxy to Harbor's HTTPS port (`proxy_pass https://<harbor>:<https.port>`). The quick fix does the latter and is unsafe: the proxy must be able to reach that port.",
      versions: 'Installer (harbor.yml) Harbor 1.8 and later.',
      evidence: ['goharbor/harbor#14893', 'goharbor/harbor-helm#1632', 'harbor make/photon/prepare/utils/nginx.py (https_redirect)', 'harbor make/photon/prepare/templates/nginx/nginx.https.conf.jinja (redirect server)'],
    },
  },
  async check({ nginx, files, report }) {
    if (!nginx) return;
    const servers = harborFrontServers(nginx);
    if (servers.length === 0) return;
    const installer = await findInstallerHttps(files, nginx.root.path);
    if (!installer) return;
    // Keyed by place: a file included twice is parsed twice, into distinct directive objects.
    const reported = new Set<string>();
    for (const server of servers) {
      for (const pass of findAll(server.scope.directives, 'proxy_pass')) {
        const place = `${pass.file}:${pass.span.start}`;
        if (pass.templated || reported.has(place)) continue;
        const target = parseProxyTarget(pass.args[0]?.value ?? '');
        if (!target || target.variable || target.scheme !== 'http') continue;
        const members = target.port === undefined ? upstreamMembers(nginx, target.host) : [];
        const endpoints = members.length > 0 ? members.map((m) => ({ host: m.host, port: m.port ?? 80 })) : [{ host: target.host, port: target.port ?? 80 }];
        // Harbor's published HTTP port, or port 8080 of its nginx container on the compose network.
        // Only Harbor's nginx redirects: a compose service name other than its (harbor-core, portal) is another service.
        const otherContainer = (host: string) => !IP.test(host) && !host.includes('.') && host !== 'localhost' && !HARBOR_NGINX_CONTAINER.test(host);
        const redirecting = endpoints.find(({ host, port }) => !otherContainer(host) && (port === installer.httpPort || (port === 8080 && HARBOR_NGINX_CONTAINER.test(host))));
        if (!redirecting) continue;
        reported.add(place);
        const anchored = anchorFor(nginx, pass);
        if (!anchored) continue;
        const httpsPort = redirecting.port === 8080 && redirecting.port !== installer.httpPort ? 8443 : installer.httpsPort;
        const replacement = members.length === 0 ? `https://${target.host}${httpsPort === 443 ? '' : `:${httpsPort}`}${target.path ?? ''}` : undefined;
        report({
          span: anchored.inThisFile ? pass.span : anchored.anchor.span,
          message: `proxy_pass ${clip(pass.args[0].value, 50)} is Harbor's redirect-only HTTP port (harbor.yml enables https): browsers get "too many redirects"`,
          detail: `${pass.args[0].value}${members.length > 0 ? ` (upstream server ${redirecting.host}:${redirecting.port})` : ''} is Harbor's HTTP port, which only redirects (308 to https://$host:${installer.httpsPort}) because harbor.yml enables https: browsers loop with too many redirects and docker is sent around this proxy. Remove harbor.yml's https block (TLS at this proxy, external_url https://...) or proxy to Harbor's HTTPS port.`,
          related: [...(anchored.inThisFile ? [] : relatedFor(nginx, pass, 'this proxy_pass is here')), { file: installer.path, span: installer.httpsKey.keySpan, message: 'https is enabled here', text: installer.text }],
          fixes: anchored.inThisFile && replacement ? [{ title: `Proxy to Harbor's HTTPS port: ${replacement}`, safety: 'unsafe', edits: [{ span: pass.args[0].span, newText: replacement }] }] : [],
        });
      }
    }
  },
});
