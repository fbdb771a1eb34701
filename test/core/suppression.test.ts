import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeText } from '../../server/src/core/languageService';
import { findSuppressions } from '../../server/src/core/suppression';
import { LineIndex } from '../../server/src/core/text';
import { FRONT_PROXY_NO_LIMIT, VALUES_CLEAN } from '../helpers/samples';

// The clean sample without its admin-password line: each case adds that line back its own way.
const VALUES = VALUES_CLEAN.replace('existingSecretAdminPassword: harbor-admin\n', '');
const ruleIds = async (text: string, uri = 'values.yaml') => (await analyzeText({ uri, text })).findings.map((f) => f.ruleId);

describe('suppression comments', () => {
  it('parses ids, reasons and scope', () => {
    const text = 'a: 1 # harbor-audit-disable-next-line x, HB-Y -- because\n  # harbor-audit-disable-file\n';
    const found = findSuppressions(text, new LineIndex(text));
    assert.deepEqual(found.map((c) => [c.scope, c.ids, c.reason, c.line]), [
      ['next-line', ['x', 'HB-Y'], 'because', 0],
      ['file', [], undefined, 1],
    ]);
    assert.equal(text.slice(found[0].idsSpan.start, found[0].idsSpan.end), 'x, HB-Y');
  });

  it('next-line covers the next non-comment line only, by rule id or catalog id', async () => {
    const finding = VALUES + 'harborAdminPassword: Harbor12345\n';
    assert.deepEqual(await ruleIds(finding), ['default-admin-password']);
    assert.deepEqual(await ruleIds(VALUES + '# harbor-audit-disable-next-line default-admin-password -- lab\n# another comment\nharborAdminPassword: Harbor12345\n'), []);
    assert.deepEqual(await ruleIds(VALUES + '# harbor-audit-disable-next-line HB-ADMIN-PW\nharborAdminPassword: Harbor12345\n'), []);
    assert.deepEqual(await ruleIds(VALUES + '# harbor-audit-disable-next-line proxy-body-size\nharborAdminPassword: Harbor12345\n'), ['default-admin-password']);
    assert.deepEqual(await ruleIds(VALUES + '# harbor-audit-disable-next-line default-admin-password\n\nharborAdminPassword: Harbor12345\n'), ['default-admin-password'], 'a blank line ends its reach');
  });

  it('file scope covers the whole file, in nginx too', async () => {
    assert.deepEqual(await ruleIds('harborAdminPassword: Harbor12345\n' + VALUES + '# harbor-audit-disable-file default-admin-password -- demo values\n'), []);
    const nginx = FRONT_PROXY_NO_LIMIT;
    assert.deepEqual(await ruleIds(nginx, 'nginx.conf'), ['proxy-body-size']);
    assert.deepEqual(await ruleIds('# harbor-audit-disable-file HB-PROXY-BODY-SIZE\n' + nginx, 'nginx.conf'), []);
  });
});
