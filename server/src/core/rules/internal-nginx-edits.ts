import { clip } from './support/message';
import type { NginxComment } from '../nginx/ast';
import { defineRule } from './rule';

/** The installer writes this file; the chart's ConfigMap and copies elsewhere are not wiped by ./prepare. */
const GENERATED_PATH = /(^|[\\/])common[\\/]config[\\/]nginx[\\/]nginx\.conf$/;
/** An `nginx.conf` with the include only the installer's templates have (the chart's ConfigMap has none). */
const INSTALLER_INCLUDE = /^\s*include\s+\/etc\/nginx\/conf\.d\/harbor\.https?\.\*\.conf;/m;

function isInstallerGenerated(path: string, text: string): boolean {
  return GENERATED_PATH.test(path) || (/(^|[\\/])nginx\.conf$/.test(path) && INSTALLER_INCLUDE.test(text));
}

/** A comment that is a directive someone switched off (`# proxy_set_header Host $host;`). */
const COMMENTED_DIRECTIVE = /^\s*(proxy_\w+|add_header|client_max_body_size|chunked_transfer_encoding|listen|server_name|ssl_\w+|location|return|rewrite|include|root|auth_\w+|allow|deny)\b[^;]*;\s*$/;
/** The one commented directive Harbor's templates ship with. */
const TEMPLATE_COMMENT = /^\s*server_name\s+harbordomain\.com;\s*$/;

function commentedName(text: string): string {
  const match = /^[#\s]*([A-Za-z_]+)(?:\s+([A-Za-z][A-Za-z0-9-]*)(?=\s))?/.exec(text);
  if (!match) return 'directive';
  return match[1] === 'proxy_set_header' || match[1] === 'add_header' ? `${match[1]} ${match[2] ?? ''}`.trim() : match[1];
}

export const internalNginxEdits = defineRule({
  meta: {
    id: 'internal-nginx-edits',
    catalogId: 'HB-INTERNAL-NGINX-EDITS',
    title: "Hand edits to Harbor's generated nginx.conf are lost on ./prepare",
    appliesTo: ['nginx'],
    defaultSeverity: 'info',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        "In the installer's generated `common/config/nginx/nginx.conf`, reports the signs of a hand edit that the templates never produce: a directive commented out (`# proxy_set_header Host $host;`; the templates only ship `#server_name harbordomain.com;` commented) and an active `server_name`. Other differences (ports, certificates, TLS versions) come from harbor.yml or the Harbor version and are not reported.",
      why:
        "`./prepare` (which `install.sh` runs, and which you run after every harbor.yml change or upgrade) starts by deleting everything under `common/config` and renders nginx.conf again from its template. A fix made by hand in this file, such as removing `X-Forwarded-Proto` behind another proxy, silently disappears on the next `./prepare`, and the old symptom (`PUT ... 401`, redirect loops) comes back.",
      example: { language: 'nginx', code: '# common/config/nginx/nginx.conf\n    location /v2/ {\n      proxy_pass http://core/v2/;\n      # proxy_set_header X-Forwarded-Proto $scheme;\n    }' },
      fix:
        "Make the change where `./prepare` keeps it: in harbor.yml (`external_url`, ports, certificates), in a `harbor.https.*.conf`/`harbor.http.*.conf` location file the template includes, or in the proxy in front of Harbor. Upgrading to Harbor 2.3 or later removes the most common reason for the edit (the `$x_forwarded_proto` map). No automatic fix.",
      versions: 'Installer, all versions (`./prepare` deletes `common/config` since 1.8).',
      evidence: ['harbor make/photon/prepare/commands/prepare.py, utils/misc.py (delfile)', 'goharbor/harbor#14893', 'goharbor/website docs/install-config/troubleshoot-installation.md'],
    },
  },
  check({ nginx, report }) {
    if (!nginx || nginx.role !== 'internal' || !isInstallerGenerated(nginx.root.path, nginx.root.text)) return;
    const edits: { span: { start: number; end: number }; what: string }[] = [];
    const commented = nginx.root.comments.filter((c: NginxComment) => COMMENTED_DIRECTIVE.test(c.text) && !TEMPLATE_COMMENT.test(c.text));
    // Name the directive (and a header name) only: its arguments may hold credentials.
    for (const comment of commented) edits.push({ span: comment.span, what: `a directive is commented out (# ${commentedName(comment.text)} …)` });
    for (const server of nginx.servers) {
      for (const name of server.scope.directives.filter((d) => d.name === 'server_name' && !d.templated)) {
        edits.push({ span: name.span, what: `server_name ${name.args.map((a) => a.value).join(' ')} is set (the template leaves it commented out)` });
      }
    }
    if (edits.length === 0) return;
    // One finding per file: the first edit, the others as related locations.
    const [first, ...rest] = edits;
    report({
      span: first.span,
      message: `Hand edit in the generated nginx.conf (${clip(first.what.replace(/ \(.*\)$/, ''), 60)}): the next ./prepare or upgrade discards it`,
      detail: `This generated common/config/nginx/nginx.conf looks hand-edited: ${first.what}. ./prepare deletes common/config and renders this file again from its template, so the edit is lost on the next ./prepare or upgrade; make it in harbor.yml or in the proxy in front of Harbor.`,
      related: rest.map((edit) => ({ span: edit.span, message: `also edited: ${edit.what}` })),
    });
  },
});
