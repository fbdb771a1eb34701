/**
 * Hover on an `include` that could not be read here: a file that only exists on
 * the proxy host (Debian's `proxy_params`, `snippets/…`) is not a finding, so
 * the hover is where the user learns it was not followed and what that means.
 */
import { isAbsolute } from 'node:path/posix';
import { contains, type HoverProvider } from './hover';

export const nginxIncludesHover: HoverProvider = {
  id: 'nginx-includes',
  appliesTo: ['nginx'],
  hover({ nginx, offset }) {
    if (!nginx) return undefined;
    const problem = nginx.includeProblems.find((p) => p.include.file === nginx.root.path && contains(p.include.span, offset));
    if (!problem || problem.reason !== 'read' || problem.problem !== 'missing') return undefined;
    const written = problem.include.args[0]?.value ?? '';
    const where = isAbsolute(written) ? 'on the host' : "in nginx's configuration folder on the host";
    return {
      span: problem.include.span,
      markdown: [
        `**\`include ${written}\`** was not followed: the file is not here (looked for \`${problem.path}\`).`,
        '',
        `It probably exists only ${where}. Checks that need what it sets (proxy headers, body size, buffering, timeouts) do not report those settings as missing, since it may set them. Keep a copy in the workspace, or map the host path with \`paths:\` in \`.harbor-audit.yaml\`, to have it checked.`,
      ].join('\n'),
    };
  },
};
