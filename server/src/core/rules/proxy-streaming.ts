import { clip } from './support/message';
import type { NginxDirective } from '../nginx/ast';
import { effectiveDirective, HARBOR_REQUESTS, unreadIncludeInEffect } from '../nginx/model';
import type { TextEdit } from '../types';
import { defineRule } from './rule';
import { insertBefore, replaceFirstArg } from '../nginx/edits';
import { anchorFor, editableScope, inheritsVisibleHttp, insertIntoBlock, placeFinding, relatedFor, uploadLocations } from '../nginx/frontProxy';

const UPLOAD = HARBOR_REQUESTS.blobUploadChunk;

const STOCK_HTTP10 = `proxy_http_version is unset, so HTTP/1.0 applies unless the http{} block that includes this file sets proxy_http_version 1.1: layers are buffered`;
const STOCK_HTTP10_DETAIL = [
  'This file holds bare `server` blocks, so nginx reads it through an `include` inside the `http {}` of its main nginx.conf, which is not in this workspace.',
  "The stock nginx.conf of Debian/Ubuntu and of the official nginx image sets no `proxy_http_version`, so nginx talks HTTP/1.0 to Harbor. Then `proxy_request_buffering off` does not apply to chunked request bodies, which is how docker sends layers: nginx writes each whole layer to disk before Harbor sees it, and large pushes end in 504 Gateway Timeout or \"unexpected EOF\".",
  'Add `proxy_http_version 1.1;` here (the quick fix does), or open the folder that also holds the main nginx.conf so it is read in context.',
].join('\n\n');

/** Unset, or set to a literal value; a directive that lost its argument (`proxy_http_version }1.1;`) is nginx-syntax's to report. */
function usable(directive: NginxDirective | undefined): boolean {
  return !directive || (directive.args.length > 0 && !directive.templated && !directive.args.some((a) => a.templated));
}

export const proxyStreaming = defineRule({
  meta: {
    id: 'proxy-streaming',
    catalogId: 'HB-PROXY-STREAMING',
    title: 'Front proxy buffers image layers instead of streaming them',
    appliesTo: ['nginx'],
    defaultSeverity: 'warning',
    fixSafety: 'safe',
    perServer: true,
    docs: {
      whatItDoes:
        'Looks at the location of a front nginx that serves `PATCH`/`PUT /v2/<repo>/blobs/uploads/<id>` and finds the `proxy_request_buffering` and `proxy_http_version` in effect there, following inheritance and includes. Request buffering left on (nginx\'s default), or turned off while the upstream protocol is still HTTP/1.0 (also the default), is a warning. An explicit `proxy_buffering on` is reported as info. A `conf.d` or `sites-available` file is read inside the `http {}` of the workspace\'s nginx.conf that includes it; when none is in view, a stock nginx.conf is assumed (Debian\'s and the official image\'s set no `proxy_http_version`, so HTTP/1.0 applies) and the message says that the including `http {}` may set it. Nothing is reported as missing where an `include` in effect could not be read here (a snippet that exists only on the proxy host; Debian\'s `proxy_params` counts for the header lines only).',
      why:
        'With request buffering on, nginx writes the whole layer to `client_body_temp_path` before Harbor sees a byte: a 10 GB layer needs 10 GB of free disk on the proxy and twice the time, and large pushes end in `504 Gateway Timeout`, `proxy error: unexpected EOF` or a retry loop in `docker push`. `proxy_request_buffering off` does not help on its own: nginx still buffers a chunked request body (which is how docker sends layers) unless `proxy_http_version 1.1` is set. Harbor\'s own nginx sets `proxy_http_version 1.1` ("this is necessary for us to be able to disable request buffering in all cases") and turns both kinds of buffering off in every location.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl;\n    server_name harbor.example.com;\n    client_max_body_size 0;\n    location / {\n        proxy_pass http://harbor;\n    }\n}' },
      fix:
        'Add `proxy_http_version 1.1;`, `proxy_request_buffering off;` and `proxy_buffering off;` where Harbor is proxied, as Harbor\'s own nginx does. The quick fix inserts the missing ones into the location that serves `/v2/` (or the server), or sets an explicit `on`/`1.0` in this file to `off`/`1.1`. Pulls and small layers work either way, so this is a warning, not an error.',
      versions: 'All Harbor versions; `proxy_request_buffering` needs nginx 1.7.11 or later.',
      evidence: ['goharbor/harbor PR #3148', 'goharbor/harbor#9217, #9394, #16623, #18888, #13612', 'harbor make/photon/prepare/templates/nginx/nginx.https.conf.jinja'],
    },
  },
  check({ nginx, text, report }) {
    if (!nginx) return;
    const reported = new Set<NginxDirective>();
    for (const { server, location } of uploadLocations(nginx)) {
      const requestBuffering = effectiveDirective(location, 'proxy_request_buffering');
      const httpVersion = effectiveDirective(location, 'proxy_http_version');
      const buffering = effectiveDirective(location, 'proxy_buffering');
      if (!usable(requestBuffering) || !usable(httpVersion) || !usable(buffering)) continue;
      const rbOff = requestBuffering?.args[0]?.value === 'off';
      const is11 = httpVersion?.args[0]?.value === '1.1';

      // An explicit `proxy_buffering on` (responses spooled to proxy_temp_path): info.
      if (buffering && buffering.args[0]?.value === 'on' && !reported.has(buffering)) {
        reported.add(buffering);
        const anchored = anchorFor(nginx, buffering);
        if (anchored) {
          report({
            span: anchored.inThisFile ? buffering.span : anchored.anchor.span,
            severity: 'info',
            message: 'proxy_buffering on applies to /v2/: nginx spools large layer downloads to disk before sending them on',
            detail: `proxy_buffering on is in effect for ${UPLOAD.label} and the other /v2/ requests: nginx spools large layer downloads to proxy_temp_path before sending them on. Harbor's own nginx turns it off.`,
            related: anchored.inThisFile ? [] : relatedFor(nginx, buffering, 'proxy_buffering on is set here'),
            fixes: anchored.inThisFile ? [{ title: 'Set proxy_buffering off', note: "As in Harbor's own nginx.", safety: 'safe', edits: [replaceFirstArg(buffering, 'off')] }] : [],
          });
        }
      }

      if (!rbOff) {
        if (requestBuffering) {
          // Explicitly on somewhere up the chain: report that directive once.
          if (reported.has(requestBuffering)) continue;
          reported.add(requestBuffering);
          const anchored = anchorFor(nginx, requestBuffering);
          if (!anchored) continue;
          const edits: TextEdit[] = [replaceFirstArg(requestBuffering, 'off')];
          if (!is11) {
            if (httpVersion && httpVersion.file === nginx.root.path) edits.push(replaceFirstArg(httpVersion, '1.1'));
            else if (!httpVersion) edits.push(insertBefore(text, requestBuffering, 'proxy_http_version 1.1;'));
            else edits.length = 0;
          }
          report({
            span: anchored.inThisFile ? requestBuffering.span : anchored.anchor.span,
            message: `proxy_request_buffering ${clip(requestBuffering.args[0]?.value ?? 'on', 20)} applies to layer uploads: large pushes end in 504 Gateway Timeout or "unexpected EOF"`,
            detail: `${UPLOAD.label} is buffered: proxy_request_buffering ${requestBuffering.args[0]?.value ?? 'on'} makes nginx write each whole layer to disk before Harbor gets it, so large pushes need that much free space and end in 504 Gateway Timeout or "unexpected EOF".`,
            related: anchored.inThisFile ? [] : relatedFor(nginx, requestBuffering, `proxy_request_buffering ${requestBuffering.args[0]?.value ?? ''} is set here`),
            fixes: anchored.inThisFile && edits.length > 0 ? [{ title: `Set proxy_request_buffering off${is11 ? '' : ' and use proxy_http_version 1.1'}`, note: "As in Harbor's own nginx.", safety: 'safe', edits }] : [],
          });
          continue;
        }
        // Unset: nginx's default `on` applies, unless an include not read here sets it.
        if (unreadIncludeInEffect(nginx, location)) continue;
        const target = editableScope(nginx, location, server.scope);
        const anchor = target?.block ?? server.scope.block!;
        if (reported.has(anchor)) continue;
        reported.add(anchor);
        const lines: string[] = [];
        const edits: TextEdit[] = [];
        if (!is11) {
          if (httpVersion && httpVersion.file === nginx.root.path) edits.push(replaceFirstArg(httpVersion, '1.1'));
          else if (!httpVersion) lines.push('proxy_http_version 1.1;');
        }
        lines.push('proxy_request_buffering off;');
        if (!buffering) lines.push('proxy_buffering off;');
        const insert = target ? insertIntoBlock(text, target, lines) : undefined;
        if (insert) edits.push(insert);
        const fixable = insert !== undefined && (is11 || !httpVersion || httpVersion.file === nginx.root.path);
        const placed = placeFinding(nginx, anchor, 'the block that serves these requests', anchor.nameSpan);
        if (!placed) continue;
        report({
          span: placed.span,
          related: placed.related,
          message: 'No proxy_request_buffering off for layer uploads: large pushes end in 504 Gateway Timeout or "unexpected EOF"',
          detail: `${UPLOAD.label} is buffered: no proxy_request_buffering is in effect, so nginx's default (on) writes each whole layer to disk before Harbor gets it; large pushes need that much free space and end in 504 Gateway Timeout or "unexpected EOF".`,
          fixes: fixable ? [{ title: `Add ${lines.map((line) => line.replace(/;$/, '')).join(', ')}`, note: `Adds ${lines.join(' ')} here, as in Harbor's own nginx.`, safety: 'safe', edits }] : [],
        });
        continue;
      }

      // A conf.d file's servers inherit from an http {} in another file. With no includer in the workspace, a stock
      // nginx.conf is assumed (Debian's and the official image's set no proxy_http_version, so HTTP/1.0 applies),
      // and the message says what would make it fine.
      const assumed = !httpVersion && !inheritsVisibleHttp(server.scope);
      if (!is11) {
        // Request buffering is off, but HTTP/1.0 upstream makes nginx buffer chunked bodies anyway.
        const offender = httpVersion ?? requestBuffering!;
        if (reported.has(offender)) continue;
        reported.add(offender);
        const anchored = anchorFor(nginx, offender);
        if (!anchored) continue;
        const version = httpVersion?.args[0]?.value ?? '1.0 (the default)';
        report({
          span: anchored.inThisFile ? offender.span : anchored.anchor.span,
          message: assumed ? STOCK_HTTP10 : `proxy_http_version ${clip(version, 20)} keeps layer uploads buffered: large pushes can end in 504 Gateway Timeout`,
          detail: assumed
            ? STOCK_HTTP10_DETAIL
            : `${UPLOAD.label} is still buffered: proxy_request_buffering off has no effect on chunked layer uploads (how docker sends them) while proxy_http_version is ${version}; nginx writes the whole layer to disk first unless it talks HTTP/1.1 to Harbor.`,
          related: anchored.inThisFile ? [] : relatedFor(nginx, offender, httpVersion ? `proxy_http_version ${version} is set here` : 'proxy_request_buffering off is set here'),
          fixes: anchored.inThisFile
            ? [{ title: 'Use proxy_http_version 1.1', note: "As in Harbor's own nginx.", safety: 'safe', edits: [httpVersion ? replaceFirstArg(httpVersion, '1.1') : insertBefore(text, offender, 'proxy_http_version 1.1;')] }]
            : [],
        });
      }
    }
  },
});
