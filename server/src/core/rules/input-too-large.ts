import type { InputRule } from './rule';

export const inputTooLarge: InputRule = {
  meta: {
    id: 'input-too-large',
    catalogId: null,
    title: 'File too large to check',
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg', 'nginx', 'not-harbor'],
    defaultSeverity: 'info',
    fixSafety: 'none',
    docs: {
      whatItDoes: 'Reports a document over 8 million characters instead of parsing it, so the editor stays responsive.',
      why: 'Real Harbor configs are a few thousand lines at most (the chart\'s own values.yaml is about 1,200). A file this large is generated or not a config at all.',
      example: { language: 'yaml', code: '# a 50 MB values.yaml produced by a templating loop' },
      fix: 'Check the source the file was generated from, or split it.',
    },
  },
};
