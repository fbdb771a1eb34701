import { clip } from './support/message';
import type { NginxComment, NginxDirective } from '../nginx/ast';
import { headSpan } from '../nginx/frontProxy';
import { bodyLines, compareWithInstallerTemplates, type BodyLine } from '../nginx/harborBodies';
import type { Span } from '../types';
import { defineRule } from './rule';

/** The installer writes this file (and ./prepare wipes the folder); the chart's ConfigMap and copies elsewhere are not wiped. */
const GENERATED_PATH = /(^|[\\/])common[\\/]config[\\/]nginx[\\/]nginx[\w.-]*\.conf$/;
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

/** A directive named without its arguments (they may hold credentials), with the header it sets. */
function directiveName(directive: NginxDirective): string {
  const header = directive.name === 'proxy_set_header' || directive.name === 'add_header' ? directive.args[0]?.value : undefined;
  if (directive.name === 'location' || directive.name === 'upstream' || directive.name === 'server') return [directive.name, ...directive.args.map((a) => a.value)].join(' ');
  return header ? `${directive.name} ${header}` : directive.name;
}

/** `proxy_set_header X-Forwarded-Proto` from a template line `… > proxy_set_header X-Forwarded-Proto $scheme`. */
function lineName(line: string): string {
  const own = line.split(' > ').pop()!;
  const [name, first] = own.split(' ');
  return name === 'proxy_set_header' || name === 'add_header' || name === 'location' || name === 'upstream' ? `${name} ${first ?? ''}`.trim() : name;
}

function blockOf(line: string): string {
  const parts = line.split(' > ');
  const block = parts.slice(0, -1).reverse().find((part) => /^(location|upstream) /.test(part));
  return block ? ` in ${block}` : '';
}

interface Edit {
  span: Span;
  what: string;
}

/** What differs from the closest version's template; undefined when no version is close (an unknown version or a rewrite). */
function templateEdits(directives: readonly NginxDirective[], commentedOut: ReadonlySet<string>): { edits: Edit[]; versions: string } | undefined {
  const comparison = compareWithInstallerTemplates(directives);
  if (!comparison) return undefined;
  const { added, removed } = comparison;
  if (added.length + removed.length > Math.max(6, comparison.lines.length / 8)) return undefined;
  const parentLine = (line: string) => line.split(' > ').slice(0, -1).join(' > ');
  const addedLines = new Set(added.map((entry) => entry.line));
  const removedLines = new Set(removed);
  // A directive whose value differs is one edit, not one added and one missing.
  const changed = added.filter((entry) => comparison.lines.some((line) => parentLine(line) === parentLine(entry.line) && lineName(line) === lineName(entry.line)));
  const changedKeys = new Set(changed.map((entry) => `${parentLine(entry.line)} > ${lineName(entry.line)}`));
  const edits: Edit[] = changed.map((entry) => ({ span: entry.directive.span, what: `${directiveName(entry.directive)} changed${blockOf(entry.line)}` }));
  // The first added line of an added block stands for the block.
  for (const entry of added.filter((e: BodyLine) => !addedLines.has(parentLine(e.line)) && !changed.includes(e))) {
    edits.push({ span: headSpan(entry.directive), what: `${directiveName(entry.directive)} added${blockOf(entry.line)}` });
  }
  const byLine = new Map<string, NginxDirective>();
  for (const entry of bodyLines(directives)) byLine.set(entry.line, entry.directive);
  // A directive commented out is reported as such, not also as removed.
  for (const line of removed.filter((l) => !removedLines.has(parentLine(l)) && !changedKeys.has(`${parentLine(l)} > ${lineName(l)}`) && !commentedOut.has(lineName(l)))) {
    // Ranged on the block that lost it (`location /v2/`), else on the file's first directive.
    let holder = parentLine(line);
    while (holder && !byLine.has(holder)) holder = parentLine(holder);
    const at = byLine.get(holder) ?? directives[0];
    if (!at) continue;
    edits.push({ span: headSpan(at), what: `${lineName(line)} removed${blockOf(line).replace(/^ in /, ' from ')}` });
  }
  return { edits, versions: comparison.versions };
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
        "Compares the installer's generated `common/config/nginx/nginx.conf` directive by directive with the template of every Harbor version (1.1 to 2.15) and its harbor.yml options (HTTPS, internal TLS, IPv6, metrics), and reports what the closest version's template never renders: a directive added, changed or removed (named without its value), a location added, a directive commented out. A difference between Harbor versions (the `$x_forwarded_proto` map of 2.3, the `/chartrepo/` location removed in 2.8) is not an edit. When no version is close (a release newer than this tool, or a rewrite), only a commented-out directive and an active `server_name` are reported.",
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
    const edits: Edit[] = [];
    const commented = nginx.root.comments.filter((c: NginxComment) => COMMENTED_DIRECTIVE.test(c.text) && !TEMPLATE_COMMENT.test(c.text));
    // Name the directive (and a header name) only: its arguments may hold credentials.
    for (const comment of commented) edits.push({ span: comment.span, what: `a directive is commented out (# ${commentedName(comment.text)} …)` });
    const compared = templateEdits(nginx.root.directives, new Set(commented.map((c) => commentedName(c.text))));
    if (compared) {
      // What no version's template renders is a hand edit; a difference between versions is not.
      edits.push(...compared.edits.filter((edit) => !edits.some((other) => other.span.start === edit.span.start)));
    } else {
      // No version is close (a version newer than ours, or a rewrite): only what no template ever does.
      for (const server of nginx.servers) {
        for (const name of server.scope.directives.filter((d) => d.name === 'server_name' && !d.templated)) {
          edits.push({ span: name.span, what: `server_name ${name.args.map((a) => a.value).join(' ')} is set (the template leaves it commented out)` });
        }
      }
    }
    if (edits.length === 0) return;
    edits.sort((a, b) => a.span.start - b.span.start);
    // One finding per file: the first edit, the others as related locations.
    const [first, ...rest] = edits;
    const against = compared ? ` Closest template: Harbor ${compared.versions}.` : '';
    report({
      span: first.span,
      message: `Hand edit in the generated nginx.conf (${clip(first.what.replace(/ \(.*\)$/, ''), 80)}): the next ./prepare or upgrade discards it`,
      detail: `This generated common/config/nginx/nginx.conf looks hand-edited: ${first.what}${rest.length > 0 ? `, and ${rest.length} more (related information)` : ''}.${against} ./prepare deletes common/config and renders this file again from its template, so the edit is lost on the next ./prepare or upgrade; make it in harbor.yml or in the proxy in front of Harbor.`,
      related: rest.map((edit) => ({ span: edit.span, message: `also edited: ${edit.what}` })),
    });
  },
});
