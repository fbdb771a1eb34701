import { clip } from './support/message';
import { dirname, relative } from 'node:path/posix';
import type { IncludeProblem } from '../nginx/includes';
import { STOCK_FILES } from '../nginx/model';
import { defineRule } from './rule';

/** Why an include was not followed, naming files as the user wrote them (relative to the config folder). */
function shownPath(problem: IncludeProblem, configDir: string): string {
  const rel = relative(configDir, problem.path);
  return rel && !rel.startsWith('..') ? rel : problem.path;
}

function shortReason(problem: IncludeProblem): string {
  switch (problem.reason) {
    case 'cycle':
      return 'an include cycle';
    case 'depth':
      return 'includes nest too deeply';
    case 'too-many-files':
      return 'too many included files';
    case 'too-many-includes':
      return 'too many include directives';
    case 'read':
      return problem.message.split('\n')[0];
  }
}

function explain(problem: IncludeProblem, configDir: string): string {
  const shown = shownPath(problem, configDir);
  switch (problem.reason) {
    case 'cycle':
      return `${shown} is already being included further up, so following it would loop (an include cycle)`;
    case 'depth':
      return `includes nest too deeply to follow ${shown}`;
    case 'too-many-files':
    case 'too-many-includes':
      return problem.message;
    case 'read':
      return `${shown}: ${problem.message}`;
  }
}

export const nginxInclude = defineRule({
  meta: {
    id: 'nginx-include',
    catalogId: null,
    title: 'Included file cannot be read',
    appliesTo: ['nginx'],
    defaultSeverity: 'info',
    fixSafety: 'none',
    docs: {
      whatItDoes: 'Reports an `include` that harbor-audit could not follow: a directory, a device or FIFO, a file over 1 MiB, an include cycle, one outside an untrusted workspace, or includes past the bounds that keep a hostile config from running away (1,024 include directives, 256 included files; an include repeated in the same block is followed once). The checks that depend on it may then be incomplete. A file that is simply not here (it exists only on the proxy host, like Debian\'s `proxy_params` or `snippets/…`) is not reported: the hover on the `include` says it was not followed, and the CLI\'s summary line counts it.',
      why: 'Settings such as `client_max_body_size 0;` or the `proxy_set_header` lines often live in an included file. When it cannot be read, a rule might miss them; this finding says so instead of guessing. A cycle also makes `nginx -t` fail.',
      example: { language: 'nginx', code: 'http {\n    include /etc/nginx/proxy-harbor.conf;\n}' },
      fix: 'Relative include paths resolve against the folder of the main nginx.conf, as nginx resolves them against its configuration prefix. Keep the included files in the workspace, or ignore this finding where they only exist on the server.',
    },
  },
  check({ nginx, report, noteUnreadable }) {
    if (!nginx) return;
    for (const problem of nginx.includeProblems) {
      const anchor = problem.include.file === nginx.root.path ? problem.include : undefined;
      if (!anchor) continue; // Problems deeper down are reported when the included file itself is checked.
      if (problem.reason === 'read' && problem.problem === 'missing') {
        const written = problem.include.args[0]?.value ?? '';
        // nginx's stock files (`include mime.types;`) hold nothing a Harbor check reads.
        if (STOCK_FILES.test(written)) continue;
        // A file that exists only on the proxy host (`proxy_params`, `snippets/…`, `/etc/nginx/…`): the tool
        // cannot know it, so the hover and the summary say so; the rules that need it stay quiet.
        noteUnreadable({ kind: 'include', written, path: problem.path, reason: 'the file does not exist here', span: anchor.span });
        continue;
      }
      const severity = problem.reason === 'cycle' ? 'warning' : 'info';
      const why = explain(problem, dirname(nginx.root.path));
      report({
        span: anchor.span,
        severity,
        message: `include ${clip(shownPath(problem, dirname(nginx.root.path)), 60)} not followed (${clip(shortReason(problem), 60)}): checks that need it may be incomplete`,
        detail: `This include was not followed: ${why}. Checks that depend on it may be incomplete.`,
      });
    }
  },
});
