import { clip } from './support/message';
import { defineRule } from './rule';

export const nginxSyntax = defineRule({
  meta: {
    id: 'nginx-syntax',
    catalogId: null,
    title: 'nginx syntax error',
    appliesTo: ['nginx'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes: 'Reports syntax errors in an nginx config that serves Harbor: a missing `;`, an unbalanced `{` or `}`, an unterminated quote. The parser recovers, so later directives are still checked.',
      why: '`nginx -t` fails and nginx keeps serving the old configuration (or does not start), so your change silently never takes effect.',
      example: { language: 'nginx', code: 'server {\n    listen 443 ssl\n    server_name harbor.example.com;\n}' },
      fix: 'Add the missing `;` or brace at the reported position. Template lines (`{% %}`, `{{ }}`, a bare `${VAR}`) are not reported.',
    },
  },
  check({ nginx, report }) {
    for (const error of nginx?.root.errors ?? []) {
      report({
        span: error.span,
        message: `nginx syntax error: ${clip(error.message.split('\n')[0], 110)}: nginx -t fails`,
        detail: `nginx syntax error: ${error.message}. \`nginx -t\` will fail, and nginx keeps its old configuration.`,
      });
    }
  },
});
