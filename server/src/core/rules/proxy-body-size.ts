import { clip } from './support/message';
import { insertFirstInBlock } from '../nginx/edits';
import { harborFrontServers, placeFinding, servingFor } from '../nginx/frontProxy';
import { anchorInRoot, effectiveDirective, HARBOR_REQUESTS, parseNginxSize, unreadIncludeInEffect } from '../nginx/model';
import type { NginxDirective } from '../nginx/ast';
import { defineRule } from './rule';

const UPLOAD = HARBOR_REQUESTS.blobUploadChunk;

export const proxyBodySize = defineRule({
  meta: {
    id: 'proxy-body-size',
    catalogId: 'HB-PROXY-BODY-SIZE',
    title: 'Front proxy limits the upload size (413 on push)',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Finds the `client_max_body_size` in effect where a front nginx serves `PATCH`/`PUT /v2/<repo>/blobs/uploads/<id>`, following inheritance from `http` through `server` to nested `location`s and into included files. No setting anywhere means nginx\'s default of 1m: an error. A finite limit: a warning, because image layers are often larger than a gigabyte. Nothing is reported as missing where an `include` in effect could not be read here (a snippet that exists only on the proxy host; Debian\'s `proxy_params` counts for the header lines only).',
      why:
        '`docker push` retries a layer and then fails with `413 Request Entity Too Large`; the Harbor logs show nothing, because the request never reaches Harbor. Harbor\'s own nginx sets `client_max_body_size 0;` ("disable any limits to avoid HTTP 413 for large image uploads"), but a proxy in front of it has its own limit.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    location / {\n        proxy_pass http://harbor;\n    }\n}' },
      fix:
        'Set `client_max_body_size 0;` (no limit) in the `server` block that proxies to Harbor, as Harbor\'s own nginx does. The quick fix inserts it there, or sets an existing finite limit in this file to 0. An `http`- or `server`-level `0` is inherited by every location, so one line is enough.',
      evidence: ['goharbor/harbor#3270, #10621, #15823, #22353', 'goharbor/harbor-helm#460', 'harbor make/photon/prepare/templates/nginx/nginx.https.conf.jinja'],
    },
  },
  check({ nginx, text, report }) {
    if (!nginx || nginx.role !== 'front') return;
    // An http-level limit serves many servers: report each limiting directive once.
    const reportedLimits = new Set<NginxDirective>();
    for (const server of harborFrontServers(nginx)) {
      if (!server.scope.block) continue;
      const { scope: location, proxyPass } = servingFor(server, UPLOAD);
      if (!proxyPass) continue;
      const limit = effectiveDirective(location, 'client_max_body_size');
      if (!limit) {
        if (unreadIncludeInEffect(nginx, location)) continue; // an include not read here may set it
        const placed = placeFinding(nginx, server.scope.block, 'the server that proxies these requests', server.scope.block.nameSpan);
        if (!placed) continue;
        const insertion = placed.inThisFile ? insertFirstInBlock(text, server.scope.block, ['client_max_body_size 0;']) : undefined;
        report({
          span: placed.span,
          related: placed.related,
          message: `No client_max_body_size for layer uploads (nginx default 1m): docker push gets 413 Request Entity Too Large`,
          detail: `${UPLOAD.label} and the final PUT fail with 413 Request Entity Too Large for any layer over 1 MB: no client_max_body_size is in effect for them, so nginx's default of 1m applies.`,
          fixes: insertion ? [{ title: 'Add "client_max_body_size 0;" to this server', note: "No upload limit, as in Harbor's own nginx.", safety: 'safe', edits: [insertion] }] : [],
        });
        continue;
      }
      const value = limit.args[0]?.value ?? '';
      const bytes = parseNginxSize(value);
      if (bytes === 0 || bytes === undefined || limit.templated) continue;
      const anchor = anchorInRoot(nginx, limit);
      if (!anchor || reportedLimits.has(limit)) continue;
      reportedLimits.add(limit);
      const inThisFile = anchor === limit;
      report({
        span: inThisFile ? limit.span : anchor.span,
        severity: 'warning',
        message: `client_max_body_size ${clip(value, 20)} limits layer uploads: docker push gets 413 Request Entity Too Large`,
        detail: `${UPLOAD.label} fails with 413 Request Entity Too Large for any layer over ${value}: client_max_body_size ${value} is in effect there. Image layers are often larger than a gigabyte.`,
        related: inThisFile ? [] : [{ file: limit.file, span: limit.span, message: `client_max_body_size ${value} is set here`, text: nginx.files.find((f) => f.path === limit.file)?.text }],
        fixes: inThisFile ? [{ title: 'Set client_max_body_size to 0 (no upload limit)', note: "As in Harbor's own nginx.", safety: 'safe', edits: [{ span: limit.args[0].span, newText: '0' }] }] : [],
      });
    }
  },
});
