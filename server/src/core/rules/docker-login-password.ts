import type { RegistryLogin, ScriptModel } from '../scripts/model';
import { spanToFile } from '../scripts/sources';
import type { Word } from '../shell/lexer';
import type { Span, TextEdit } from '../types';
import { defineRule, type Report } from './rule';

const CONTROL_WORDS = new Set(['if', 'then', 'elif', 'else', 'do', 'while', 'until', '!', '{']);

/**
 * Where the password's variable is written (`"$PASS"`, `${PASS}`, the value of `--password=$PASS`),
 * when the password is exactly one variable and can be piped instead without changing its value.
 */
function singleVariable(password: { option: Word; value: Word }): Span | undefined {
  let parts = password.value.parts;
  if (password.option === password.value) {
    if (parts[0]?.kind !== 'literal' || !/^--?[\w-]+=$/.test(parts[0].text)) return undefined;
    parts = parts.slice(1);
  }
  const params = parts.filter((part) => part.kind === 'param' && part.name);
  if (params.length !== 1 || parts.some((part) => part.kind !== 'param' && !(part.kind === 'double' && part.text === ''))) return undefined;
  // Keep the quotes around the variable: from the first part to the end of the word.
  const start = password.option === password.value ? password.value.parts[0].span.end : password.value.span.start;
  return { start, end: password.value.span.end };
}

function stdinFix(text: string, login: RegistryLogin): Report['fixes'] {
  const { source, command } = login.shell;
  const password = login.password!;
  const title = `Pipe the password in: printf '%s\\n' … | ${login.tool} login --password-stdin`;
  const variable = singleVariable(password);
  if (!variable || command.pipedInto || login.passwordStdin) return [{ title, safety: 'display-only', edits: [] }];
  const first = command.words.find((word) => !CONTROL_WORDS.has(word.value));
  const before = source.encode("printf '%s\\n' ");
  const pipe = source.encode(' | ');
  const flag = source.encode('--password-stdin');
  if (!first || before === undefined || pipe === undefined || flag === undefined) return [{ title, safety: 'display-only', edits: [] }];
  // The variable is copied as the file writes it (make's `$$`, YAML quoting stay right).
  const valueSpan = spanToFile(source, variable);
  const optionSpan = spanToFile(source, { start: password.option.span.start, end: password.value.span.end });
  const at = source.toFile(first.span.start);
  const edits: TextEdit[] = [
    { span: { start: at, end: at }, newText: `${before}${text.slice(valueSpan.start, valueSpan.end)}${pipe}` },
    { span: optionSpan, newText: flag },
  ];
  return [{ title, safety: 'safe', edits }];
}

export const dockerLoginPassword = defineRule({
  meta: {
    id: 'docker-login-password',
    catalogId: 'HB-DOCKER-LOGIN-PASSWORD',
    title: 'docker login takes the password on its command line',
    appliesTo: ['harbor-client'],
    defaultSeverity: 'info',
    fixSafety: 'safe',
    docs: {
      whatItDoes:
        '`docker login -p`/`--password` (and the same options of `podman`, `nerdctl`, `buildah`, `skopeo`, `oras` and `helm registry login`) in a script or pipeline that talks to Harbor, whether the password is written out or comes from a variable.',
      why:
        "A password on the command line is visible to every user of the machine in `ps` and `/proc/<pid>/cmdline` while the command runs, ends up in shell history when typed, and in CI logs when a step echoes its commands (`set -x`). Docker itself warns `WARNING! Using --password via the CLI is insecure. Use --password-stdin.` A robot account's secret leaked this way gives push and delete rights on the registry.",
      example: { language: 'sh', code: 'docker login -u "$HARBOR_USER" -p "$HARBOR_PASSWORD" harbor.example.com' },
      fix:
        "Give the password on standard input: `printf '%s\\n' \"$HARBOR_PASSWORD\" | docker login -u \"$HARBOR_USER\" --password-stdin harbor.example.com` (`printf` is a shell builtin, so the secret never becomes a process argument). The quick fix writes that when the password is a single variable and nothing else feeds the command's input; a written-out password should move to a CI secret first, so that case gets guidance only.",
      evidence: ['docker/cli cli/command/registry/login.go (the --password warning)', 'docker docs, docker login: "Provide a password using STDIN"'],
    },
  },
  check({ script, text, report }) {
    if (!script) return;
    for (const login of script.logins) {
      if (!login.password) continue;
      const { source } = login.shell;
      const literal = !login.password.value.parts.some((part) => part.kind === 'param' || part.kind === 'command' || part.kind === 'template');
      report({
        span: spanToFile(source, { start: login.password.option.span.start, end: login.password.value.span.end }),
        message: `${login.tool} login ${login.password.option.value.startsWith('--') ? '--password' : '-p'} puts the ${literal ? 'written-out ' : ''}password in the process list and shell history: use --password-stdin`,
        detail: `\`${login.tool} login\` with the password on its command line shows it to every user of the machine (\`ps\`, \`/proc/<pid>/cmdline\`) while it runs, and the shell keeps it in its history file; CI systems may print the command in their logs. \`--password-stdin\` reads it from standard input instead: \`printf '%s' \"$PASSWORD\" | ${login.tool} login --username … --password-stdin <registry>\`. The quick fix does that where the password is one variable.`,
        fixes: stdinFix(text, login),
      });
    }
  },
});
