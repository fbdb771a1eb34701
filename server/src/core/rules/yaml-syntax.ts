import { clip } from './support/message';
import { defineRule } from './rule';

export const yamlSyntax = defineRule({
  meta: {
    id: 'yaml-syntax',
    catalogId: null,
    title: 'YAML syntax error',
    // harbor-client: workflows, pipelines, Ansible tasks and compose files that call Harbor are YAML too.
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-client'],
    defaultSeverity: 'error',
    fixSafety: 'none',
    docs: {
      whatItDoes:
        'Reports YAML syntax errors in Helm values, harbor.yml, and the YAML files that call Harbor (CI workflows and pipelines, Ansible tasks, compose files). The parser recovers, so the rest of the file is still checked. A key set twice in the same mapping is not an error to Helm or to the installer: both keep the last occurrence (a whole block, not merged), so that is a warning on the occurrence that is ignored, naming the line that wins.',
      why: '`helm upgrade` stops with "error converting YAML to JSON" and the installer\'s `./prepare` with a Python traceback; neither points at the line as precisely.',
      example: { language: 'yaml', code: 'expose:\n  type: ingress\n   tls:\n    enabled: true' },
      fix: 'Correct the indentation or quoting at the reported position. Template syntax (`{{ }}`, `{% %}`) is masked before parsing and never reported here.',
    },
  },
  check({ yaml, helmValues, report, lines, recognition }) {
    // Values embedded as a string (Argo CD `helm.values: |`) are parsed on their own; their errors count too.
    const parsed = new Set([yaml, ...helmValues.map((target) => target.yaml)]);
    const client = recognition.kind === 'harbor-client';
    const refusedBy = client ? 'the tool that runs this file refuses it' : 'Helm and the installer refuse this file';
    for (const error of [...parsed].flatMap((p) => p?.errors ?? [])) {
      report({
        span: error.span,
        message: `YAML syntax error: ${clip(error.message.split('\n')[0], 100)}: ${refusedBy}`,
        detail: `YAML syntax error: ${error.message}. ${client ? 'The CI system, Ansible or docker compose will refuse this file before any step runs.' : 'Helm and the installer will refuse this file.'}`,
      });
    }
    // What a repeated key means differs between the tools that read client files (GitHub Actions and
    // compose refuse it, Ansible keeps the last): only Helm's and the installer's reading is reported.
    if (client) return;
    // sigs.k8s.io/yaml (Helm) and PyYAML (the installer's prepare) keep the last of two equal keys, silently.
    const reader = recognition.kind === 'harbor-yml' ? "the installer's ./prepare" : 'Helm';
    for (const duplicate of [...parsed].flatMap((p) => p?.duplicates ?? [])) {
      const keptLine = lines.positionAt(duplicate.kept.keySpan.start).line + 1;
      report({
        span: duplicate.ignored.keySpan,
        severity: 'warning',
        message: `${clip(duplicate.key, 60)} is set again on line ${keptLine}: ${reader} keeps the last one, so this ${duplicate.ignored.block ? 'whole block is ignored, not merged' : 'value is ignored'}`,
        detail: `\`${duplicate.key}\` appears twice in the same map. ${reader === 'Helm' ? 'Helm reads values with sigs.k8s.io/yaml' : "The installer's ./prepare reads harbor.yml with PyYAML"}, which raises no error for a repeated key: the later one, on line ${keptLine}, wins${duplicate.ignored.block ? ', and the block here is dropped as a whole: its keys are not merged into the later one' : ''}. Keep one of the two, with every setting you meant in it.`,
        related: [{ span: duplicate.kept.keySpan, message: `the ${duplicate.key} that applies` }],
      });
    }
  },
});
