import { dirname, join } from 'node:path/posix';
import { decodeBytes } from '../decode';
import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS, locationFor } from '../nginx/model';
import type { FileAccess, TextEdit } from '../types';
import { locateInstallerConfig } from '../yaml/harborYaml';
import { parseYaml } from '../yaml/yamlModel';
import { defineRule } from './rule';
import { eolAt, indentUnit, insertFirstInBlock } from '../nginx/edits';
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
    defaultSeverity: 'info',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        "Checks Harbor's own generated nginx.conf (installer `common/config/nginx/nginx.conf`, the chart's `<release>-nginx` ConfigMap): a plain-http server whose locations for `/`, `/c/`, `/api/`, `/service/` or `/v2/` send `proxy_set_header X-Forwarded-Proto $scheme;`. That is the template of Harbor before 2.3.0 (chart before 1.7.0); newer ones pass an incoming `X-Forwarded-Proto` on through `map $http_x_forwarded_proto $x_forwarded_proto`. Front-proxy rules never run on this file.",
      why:
        'Behind a TLS-terminating proxy or load balancer, `docker push` gets `POST /v2/<repo>/blobs/uploads/` 202 and then `PUT /v2/<repo>/blobs/uploads/<id>` 401 Unauthorized: Harbor\'s nginx replaces the proxy\'s `X-Forwarded-Proto: https` with its own scheme, `http`, so the registry returns an `http://` upload Location and the docker client does not send its token there. One finding per file, with every affected location as related information. Information only, because a Harbor that clients reach directly over http is not affected; an error when the installer beside the file (harbor.yml `external_url`, or `EXT_ENDPOINT` in `common/config/core/env`) names an https:// URL while this nginx serves plain http, which means a proxy terminates TLS in front of it.',
      example: { language: 'nginx', code: 'location /v2/ {\n  proxy_pass http://core/v2/;\n  proxy_set_header Host $http_host;\n  proxy_set_header X-Forwarded-Proto $scheme;\n}' },
      fix:
        "Upgrade Harbor (≥ 2.3.0) or the chart (≥ 1.7.0). Harbor's troubleshooting guide says to remove the line from `location /`, `/v2/` and `/service/`. The quick fix adds Harbor's own `map $http_x_forwarded_proto $x_forwarded_proto { default $http_x_forwarded_proto; \"\" $scheme; }` to `http {}` and sends `$x_forwarded_proto` in every such location. The installer's `./prepare` regenerates this file: carry the change into your deployment, or it is lost.",
      versions: 'Harbor < 2.3.0 (map added in goharbor/harbor 387be3686a), chart < 1.7.0 (goharbor/harbor-helm e9ea7f8).',
      evidence: ['goharbor/harbor#61, #14893', 'website docs/install-config/troubleshoot-installation.md:35-44', 'bitnami/bitnami-docker-harbor-portal#12', 'distribution docs/content/recipes/nginx.md:50-71'],
    },
  },
  async check({ nginx, text, files, report }) {
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
    const inFile = offending.filter(({ line }) => line.file === nginx.root.path).sort((a, b) => a.line.span.start - b.line.span.start);
    if (inFile.length === 0) return;
    const edits: TextEdit[] = [];
    const http = nginx.root.directives.find((d) => d.name === 'http' && d.block);
    const hasMap = http?.block?.some((d) => d.name === 'map' && d.args[1]?.value === '$x_forwarded_proto');
    if (http && !hasMap) {
      const open = insertFirstInBlock(text, http, ['map $http_x_forwarded_proto $x_forwarded_proto {']);
      if (open) {
        // The line break insertFirstInBlock ended its line with (that of the block's opening line).
        const eol = eolAt(text, http.blockSpan!.start);
        const indent = /^[ \t]*/.exec(open.newText)![0];
        const inner = indent + indentUnit(text, http, indent);
        edits.push({ span: open.span, newText: open.newText.endsWith(eol) ? `${indent}map $http_x_forwarded_proto $x_forwarded_proto {${eol}${inner}default $http_x_forwarded_proto;${eol}${inner}"" $scheme;${eol}${indent}}${eol}` : ' map $http_x_forwarded_proto $x_forwarded_proto { default $http_x_forwarded_proto; "" $scheme; }' });
      }
    }
    const fixable = http !== undefined && (hasMap || edits.length > 0);
    for (const { line } of inFile) if (line.args[1]) edits.push({ span: line.args[1].span, newText: '$x_forwarded_proto' });
    // One cause, one finding: the first line carries it, the others are related locations.
    const [first, ...rest] = inFile;
    const front = await knownFrontProxy(files, nginx.root.path);
    const where = inFile.length === 1 ? first.where : `${inFile.length} locations`;
    report({
      span: first.line.span,
      severity: front ? 'error' : 'info',
      message: `X-Forwarded-Proto $scheme in ${where} overwrites the TLS proxy's https: the upload PUT of docker push gets 401`,
      detail: [
        `This is the nginx of Harbor < 2.3.0 (chart < 1.7.0). Behind a TLS-terminating proxy or load balancer it overwrites the proxy's \`X-Forwarded-Proto: https\` with its own \`$scheme\`, \`http\`, so \`${START.label}\` returns an \`http://\` upload Location and the docker client sends \`${FINISH.label}\` there without its token: 401 Unauthorized.`,
        '',
        front
          ? `${front}, so a proxy in front of this nginx is known: an error.`
          : 'Nothing here says a proxy terminates TLS in front of this nginx (no harbor.yml `external_url: https://…` or core `EXT_ENDPOINT` beside it), so this is only information: a Harbor that clients reach directly over http is not affected.',
        '',
        `Locations: ${inFile.map((o) => o.where).join(', ')}. \`./prepare\` renders this file again: carry the change into your deployment or upgrade.`,
      ].join('\n'),
      related: rest.map(({ line, where: at }) => ({ span: line.span, message: `also sends X-Forwarded-Proto $scheme (${at})` })),
      fixes: fixable
        ? [{ title: "Send Harbor's $x_forwarded_proto in every location", note: "The map sends the proxy's value, else $scheme.", safety: 'safe', edits }]
        : [{ title: 'Upgrade to Harbor ≥ 2.3.0 / chart ≥ 1.7.0, or remove this line from location /, /v2/ and /service/', safety: 'display-only', edits: [] }],
    });
  },
});

/**
 * A proxy in front of the installer's nginx is known when the installer says its
 * public URL is https while this nginx serves plain http: `external_url` in
 * harbor.yml (three levels above common/config/nginx) or core's EXT_ENDPOINT.
 */
async function knownFrontProxy(files: FileAccess, path: string): Promise<string | undefined> {
  const unix = path.replace(/\\/g, '/');
  if (!unix.startsWith('/')) return undefined;
  const nginxDir = dirname(unix);
  const read = async (candidate: string): Promise<string | undefined> => {
    try {
      const result = await files.readFile(candidate, { maxBytes: 256 * 1024 });
      return result.ok ? decodeBytes(result.bytes).text : undefined;
    } catch {
      return undefined;
    }
  };
  const env = await read(join(nginxDir, '..', 'core', 'env'));
  if (env && /^EXT_ENDPOINT=https:\/\//m.test(env)) return "core's env sets EXT_ENDPOINT to an https:// URL";
  const yaml = await read(join(nginxDir, '..', '..', '..', 'harbor.yml'));
  const external = yaml ? locateInstallerConfig(parseYaml(yaml))?.get('external_url') : undefined;
  if (external && typeof external.value === 'string' && /^https:\/\//i.test(external.value) && !external.generated) return 'harbor.yml sets external_url to an https:// URL';
  return undefined;
}
