import type { InputRule } from './rule';

export const inputEncoding: InputRule = {
  meta: {
    id: 'input-encoding',
    catalogId: null,
    title: 'File is not valid UTF-8',
    appliesTo: ['helm-values', 'harbor-yml', 'harbor-cfg', 'nginx', 'not-harbor'],
    defaultSeverity: 'warning',
    fixSafety: 'none',
    docs: {
      whatItDoes: 'Reports a Harbor config whose bytes are not valid UTF-8 (and that has no UTF-16 byte-order mark). The bad bytes are read as U+FFFD and the rest of the file is still checked.',
      why: 'Helm rejects values files that are not UTF-8, and a Latin-1 password in harbor.yml reaches Harbor as different bytes than the ones you type at `docker login`, which then fails with 401.',
      example: { language: 'yaml', code: 'harborAdminPassword: "Pa\\xdfwort1"   # a Latin-1 byte, not UTF-8' },
      fix: 'Re-save the file as UTF-8.',
    },
  },
};
