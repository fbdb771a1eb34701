/**
 * docs/log-signatures.md: every log line and sequence harbor-audit recognises,
 * what it means and which rules look for its cause. Generated (`npm run docs`)
 * from the signatures themselves; the editor's log diagnostics link to the
 * anchor of their signature.
 */
import { ruleCatalog } from '../rules/registry';
import { SEQUENCE_SIGNATURES } from './sequences';
import { SIGNATURES } from './signatures';

interface Described {
  id: string;
  title: string;
  summary: string;
  explanation: string;
  catalogIds: readonly string[];
  source: string;
}

export function logSignatures(): Described[] {
  return [...SIGNATURES, ...Object.entries(SEQUENCE_SIGNATURES).map(([id, meta]) => ({ id, ...meta }))];
}

export function renderLogSignaturesDoc(): string {
  const lines = [
    '# Log signatures',
    '',
    'The log lines and request sequences that `harbor-audit explain`, **Harbor: Explain Log…** and the editor\'s log diagnostics recognise. Each names the rules that find its cause in the configs; with configs to read, the findings of those rules are ranked as the likely causes.',
    '',
    'Logs are read in the shapes users paste: `docker compose logs`, `kubectl logs` (with or without `--prefix`), journald and syslog, Harbor core\'s own format, the registry\'s logrus lines, nginx access logs (`combined` and Harbor\'s `timed_combined`) and docker or podman client output. Passwords, tokens and keys a line carries are masked in everything shown. In the editor, a file named `*.log`, or whose first lines are log output in one of these shapes, gets an information diagnostic on each line below (the first 100,000 lines of a log).',
    '',
  ];
  for (const signature of logSignatures()) {
    const rules = ruleCatalog.filter((meta) => meta.catalogId !== null && signature.catalogIds.includes(meta.catalogId));
    // Most likely cause first, as the catalog ids are ordered.
    rules.sort((a, b) => signature.catalogIds.indexOf(a.catalogId!) - signature.catalogIds.indexOf(b.catalogId!));
    lines.push(`<a id="${signature.id}"></a>`, '', `## ${signature.id}: ${signature.title}`, '', `**${signature.summary}.**`, '', signature.explanation, '');
    lines.push(rules.length > 0 ? `Rules that find its cause: ${rules.map((meta) => `[\`${meta.id}\`](rules/${meta.id}.md)`).join(', ')}.` : 'No config rule finds its cause: it is not a configuration problem.', '');
    lines.push(`Printed by: ${signature.source}.`, '');
  }
  lines.push(
    '<a id="log-lines-not-read"></a>',
    '',
    '## log-lines-not-read: the rest of a long log',
    '',
    'The editor explains the first 100,000 lines of a log document so that it stays responsive, and marks the first line it did not read. **Harbor: Explain Log…** reads up to a million lines of a selection, the clipboard or a file (64 MB), and `harbor-audit explain --log FILE` streams a log of any length in bounded memory.',
    '',
  );
  return lines.join('\n');
}
