/**
 * Harbor's generated nginx.conf, directive by directive: tells a hand edit from
 * a difference between Harbor versions. Each installer version's template is
 * recorded (harborTemplates.generated.ts) as lines such as
 * `http > server > location /v2/ > proxy_set_header Host $http_host`, split
 * into the lines every render has and those only a harbor.yml option adds
 * (internal TLS, IPv6, metrics). A file is compared with the version whose
 * template it is closest to; what is left over is a hand edit.
 */
import type { NginxDirective } from './ast';
import { HARBOR_BODY_LINES, HARBOR_INSTALLER_BODIES } from './harborTemplates.generated';

/** A value the template fills in (`{{ssl_cert}}`, a `{% %}` tag): matches anything in a rendered file. */
export const TEMPLATE_VALUE = /\{\{.*?\}\}|\{%.*?%\}/g;

function header(directive: NginxDirective): string {
  // Only locations and upstreams are told apart by their arguments; the http, events and server blocks by their place.
  if (directive.name !== 'location' && directive.name !== 'upstream') return directive.name;
  return [directive.name, ...directive.args.map((a) => a.value.replace(TEMPLATE_VALUE, '*'))].join(' ');
}

export interface BodyLine {
  line: string;
  directive: NginxDirective;
}

/** One line per directive (block headers included), with the blocks that hold it; `include`d files are not entered. */
export function bodyLines(directives: readonly NginxDirective[]): BodyLine[] {
  const lines: BodyLine[] = [];
  const visit = (list: readonly NginxDirective[], path: string) => {
    for (const directive of list) {
      const own = directive.block ? header(directive) : [directive.name, ...directive.args.map((a) => a.value.replace(TEMPLATE_VALUE, '*'))].join(' ');
      const line = path ? `${path} > ${own}` : own;
      lines.push({ line, directive });
      if (directive.block) visit(directive.block, line);
    }
  };
  visit(directives, '');
  return lines;
}

export interface BodyComparison {
  /** Harbor versions whose template the file is closest to (`2.3–2.7`). */
  versions: string;
  /** Lines of the file that this version's template never renders. */
  added: BodyLine[];
  /** Lines every render of the template has that the file lacks. */
  removed: string[];
  /** Lines the template can render. */
  lines: string[];
}

const patterns = new Map<string, RegExp>();
function matcher(line: string): (text: string) => boolean {
  if (!line.includes('*')) return (text) => text === line;
  let pattern = patterns.get(line);
  if (!pattern) {
    pattern = new RegExp(`^${line.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    patterns.set(line, pattern);
  }
  const compiled = pattern;
  return (text) => compiled.test(text);
}

/** The installer template this file is closest to, and what differs from it. */
export function compareWithInstallerTemplates(directives: readonly NginxDirective[]): BodyComparison | undefined {
  const lines = bodyLines(directives);
  let best: BodyComparison | undefined;
  for (const body of HARBOR_INSTALLER_BODIES) {
    const required = body.required.map((i) => HARBOR_BODY_LINES[i]);
    const templateLines = [...required, ...body.optional.map((i) => HARBOR_BODY_LINES[i])];
    const known = templateLines.map(matcher);
    const added = lines.filter((entry) => !known.some((matches) => matches(entry.line)));
    const removed = required.filter((line) => {
      const matches = matcher(line);
      return !lines.some((entry) => matches(entry.line));
    });
    const comparison = { versions: body.versions, added, removed, lines: templateLines };
    const distance = added.length + removed.length;
    const bestDistance = best ? best.added.length + best.removed.length : Infinity;
    if (distance < bestDistance) best = comparison;
    // Versions whose templates are as close (the http template of one, the https of another) are named together.
    else if (best && distance === bestDistance && !best.versions.split(', ').includes(body.versions)) best = { ...best, versions: `${best.versions}, ${body.versions}` };
  }
  return best;
}
