import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS, parseNginxTime, unreadIncludeInEffect } from '../nginx/model';
import { defineRule } from './rule';
import { replaceFirstArg } from '../nginx/edits';
import { anchorFor, editableScope, insertIntoBlock, placeFinding, relatedFor, uploadLocations } from '../nginx/frontProxy';

const UPLOAD = HARBOR_REQUESTS.blobUploadChunk;
/** Harbor's own nginx sets 900 on /v2/. */
const HARBOR_TIMEOUT = 900;
const NAMES = ['proxy_read_timeout', 'proxy_send_timeout'] as const;

export const proxyTimeouts = defineRule({
  meta: {
    id: 'proxy-timeouts',
    catalogId: 'HB-PROXY-TIMEOUTS',
    title: 'Front proxy times out long layer uploads (504)',
    appliesTo: ['nginx'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Finds the `proxy_read_timeout` and `proxy_send_timeout` in effect where a front nginx serves `PATCH`/`PUT /v2/<repo>/blobs/uploads/<id>`, following inheritance and includes. Unset means nginx\'s default of 60 seconds. Anything below the 900 seconds Harbor\'s own nginx uses on `/v2/` is a warning. `client_body_timeout` (the gap between two reads from the client) is not checked: Harbor leaves it alone too. Nothing is reported as missing where an `include` in effect could not be read here (a snippet that exists only on the proxy host; Debian\'s `proxy_params` counts for the header lines only).',
      why:
        'Committing a large layer (the final `PUT`) or streaming it to slow storage can keep Harbor silent for minutes; after 60 seconds without a byte nginx gives up and `docker push` shows `504 Gateway Timeout` or `received unexpected HTTP status: 504`, then retries the whole layer.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    client_max_body_size 0;\n    location / {\n        proxy_pass http://harbor;\n        proxy_read_timeout 60s;\n    }\n}' },
      fix:
        'Use `proxy_read_timeout 900;` and `proxy_send_timeout 900;` where `/v2/` is proxied, as Harbor\'s own nginx does. The quick fix raises a shorter value in this file to 900, or inserts the missing directives into the location that serves `/v2/` (or the server).',
      versions: 'All Harbor versions.',
      evidence: ['goharbor/harbor#9394', 'harbor make/photon/prepare/templates/nginx/nginx.https.conf.jinja (`location /v2/`)', 'distribution docs/content/recipes/nginx.md'],
    },
  },
  check({ nginx, text, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const { server, location } of uploadLocations(nginx)) {
      const missing: string[] = [];
      for (const name of NAMES) {
        const directive = effectiveDirective(location, name);
        if (!directive) {
          missing.push(name);
          continue;
        }
        if (directive.templated || directive.args.some((a) => a.templated)) continue;
        const value = directive.args.map((a) => a.value).join(' ');
        const seconds = parseNginxTime(value);
        if (seconds === undefined || seconds >= HARBOR_TIMEOUT || reported.has(directive)) continue;
        reported.add(directive);
        const anchored = anchorFor(nginx, directive);
        if (!anchored) continue;
        report({
          span: anchored.inThisFile ? directive.span : anchored.anchor.span,
          message: `${name} ${clip(value, 20)} applies to layer uploads: pushing a large layer ends in 504 Gateway Timeout`,
          detail: `${UPLOAD.label} and the final PUT of a large layer end in 504 Gateway Timeout when Harbor is silent for more than ${spokenSeconds(seconds)}: ${name} ${value} is in effect there (Harbor's own nginx uses 900 on /v2/).`,
          related: anchored.inThisFile ? [] : relatedFor(nginx, directive, `${name} ${value} is set here`),
          fixes: anchored.inThisFile && directive.args.length === 1 ? [{ title: `Set ${name} to 900`, note: "As in Harbor's own nginx.", safety: 'safe', edits: [replaceFirstArg(directive, '900')] }] : [],
        });
      }
      if (missing.length === 0 || unreadIncludeInEffect(nginx, location)) continue; // an include not read here may set them
      const target = editableScope(nginx, location, server.scope);
      const anchor = target?.block ?? server.scope.block!;
      if (reported.has(anchor)) continue;
      reported.add(anchor);
      const placed = placeFinding(nginx, anchor, 'the block that serves these requests', anchor.nameSpan);
      if (!placed) continue;
      const insert = target ? insertIntoBlock(text, target, missing.map((name) => `${name} 900;`)) : undefined;
      report({
        span: placed.span,
        related: placed.related,
        message: `No ${missing.join(' or ')} for layer uploads (default 60s): a large layer push ends in 504 Gateway Timeout`,
        detail: `${UPLOAD.label} and the final PUT of a large layer end in 504 Gateway Timeout when Harbor is silent for more than 60 seconds: no ${missing.join(' or ')} is in effect there, so nginx's default of 60s applies (Harbor's own nginx uses 900 on /v2/).`,
        fixes: insert ? [{ title: `Add ${missing.map((name) => `${name} 900;`).join(' ')} here`, note: "As in Harbor's own nginx.", safety: 'safe', edits: [insert] }] : [],
      });
    }
  },
});

/** A timeout as people say it (`300` and `5m` are both "5 minutes"), so a bare number never reads as a count. */
function spokenSeconds(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
