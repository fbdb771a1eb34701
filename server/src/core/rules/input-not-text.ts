import type { InputRule } from './rule';

export const inputNotText: InputRule = {
  meta: {
    id: 'input-not-text',
    catalogId: null,
    title: 'File is binary, not a text config',
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg', 'nginx', 'not-harbor'],
    defaultSeverity: 'warning',
    fixSafety: 'none',
    docs: {
      whatItDoes: 'Reports a file that was opened or named as a Harbor config but contains NUL bytes, so it cannot be a YAML, nginx or harbor.cfg file. Nothing else in it is checked.',
      why: 'A config saved in the wrong format (a compressed or encrypted file, an editor swap file) makes Helm, the installer or nginx fail with a parse error far from the real cause.',
      example: { language: 'yaml', code: '# bytes: 1f 8b 08 00 ... (a gzip file named values.yaml)' },
      fix: 'Open the right file, or decompress/decrypt it first. harbor-audit never guesses at binary content.',
    },
  },
};
