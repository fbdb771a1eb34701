import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS } from '../nginx/model';
import { defineRule } from './rule';
import { replaceFirstArg } from '../nginx/edits';
import { anchorFor, relatedFor, uploadLocations } from '../nginx/frontProxy';

const UPLOAD = HARBOR_REQUESTS.blobUploadChunk;

export const proxyChunked = defineRule({
  meta: {
    id: 'proxy-chunked',
    catalogId: 'HB-PROXY-CHUNKED',
    title: 'Front proxy turns chunked transfer encoding off (411 on push)',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Reports `chunked_transfer_encoding off` when it is in effect where a front nginx serves `/v2/` (following inheritance and includes). A missing directive is fine: nginx defaults to `on`, and Harbor\'s own HTTP template does not set it either.',
      why:
        'docker sends layers with `Transfer-Encoding: chunked`. With chunked transfer encoding off, nginx answers those uploads with `411 Length Required` and `docker push` fails. Harbor\'s HTTPS template sets `chunked_transfer_encoding on;` with the comment "required to avoid HTTP 411". nginx older than 1.3.9 cannot take chunked request bodies at all, whatever this directive says.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    client_max_body_size 0;\n    chunked_transfer_encoding off;\n    location / {\n        proxy_pass http://harbor;\n    }\n}' },
      fix: 'Set `chunked_transfer_encoding on;` (or remove the line). The quick fix sets it to `on`.',
      versions: 'All Harbor versions; nginx 1.3.9 or later.',
      evidence: ['goharbor/harbor#12373', 'harbor make/photon/prepare/templates/nginx/nginx.https.conf.jinja', 'distribution docs/content/recipes/nginx.md'],
    },
  },
  check({ nginx, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const { location } of uploadLocations(nginx)) {
      const chunked = effectiveDirective(location, 'chunked_transfer_encoding');
      if (!chunked || chunked.templated || chunked.args[0]?.value.toLowerCase() !== 'off' || reported.has(chunked)) continue;
      reported.add(chunked);
      const anchored = anchorFor(nginx, chunked);
      if (!anchored) continue;
      report({
        span: anchored.inThisFile ? chunked.span : anchored.anchor.span,
        message: `chunked_transfer_encoding off applies to layer uploads: docker push gets 411 Length Required`,
        detail: `docker push fails with 411 Length Required: chunked_transfer_encoding off is in effect for ${UPLOAD.label}, and docker sends layers chunked.`,
        related: anchored.inThisFile ? [] : relatedFor(nginx, chunked, 'chunked_transfer_encoding off is set here'),
        fixes: anchored.inThisFile ? [{ title: 'Set chunked_transfer_encoding on', safety: 'safe', edits: [replaceFirstArg(chunked, 'on')] }] : [],
      });
    }
  },
});
