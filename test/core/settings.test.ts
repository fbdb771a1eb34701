import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveSeverity, globToRegExp, isIgnored, mergeSettings, parseSettingsFile } from '../../server/src/core/settings';

describe('.harbor-audit.yaml', () => {
  it('reads rules and ignore globs', () => {
    const { settings, problems } = parseSettingsFile('rules:\n  proxy-body-size: warning\n  HB-ADMIN-PW: off\nignore:\n  - "examples/**"\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, { rules: { 'proxy-body-size': 'warning', 'HB-ADMIN-PW': 'off' }, ignore: ['examples/**'] });
  });

  it('reports bad values and unknown keys without failing', () => {
    const { settings, problems } = parseSettingsFile('rule:\n  x: 1\nrules:\n  a: loud\n  b: error\nignore: nope\n');
    assert.deepEqual(settings, { rules: { b: 'error' }, ignore: [] });
    assert.deepEqual(problems.map((p) => p.message), [
      'unknown key `rule` (expected one of `rules`, `ignore`, `paths`, `chartVersion`, `harborVersion`, `robot_name_prefix`)',
      'rule `a`: `loud` is not one of off, hint, info, warning, error',
      '`ignore` must be a list of globs',
    ]);
    assert.equal(parseSettingsFile('rules: [').problems.length, 1);
    assert.deepEqual(parseSettingsFile('').settings, { rules: {}, ignore: [] });
  });

  it('reads the chart and Harbor versions the files are for', () => {
    const { settings, problems } = parseSettingsFile('chartVersion: 1.13.0\nharborVersion: 2.9\n');
    assert.deepEqual(problems, []);
    assert.equal(settings.chartVersion, '1.13.0');
    assert.equal(settings.harborVersion, '2.9');
    assert.equal(parseSettingsFile('chartVersion: [1]\n').problems[0].message, '`chartVersion` must be a version such as 1.13.0');
    assert.equal(mergeSettings(settings, { rules: {} }).chartVersion, '1.13.0');
  });

  it('reads robot_name_prefix, and refuses a prefix that is not a string', () => {
    assert.equal(parseSettingsFile('robot_name_prefix: bot$\n').settings.robotNamePrefix, 'bot$');
    assert.deepEqual(parseSettingsFile('robot_name_prefix: [x]\n').problems.map((p) => p.message), ['`robot_name_prefix` must be a string such as `robot$`']);
    assert.equal(mergeSettings({ robotNamePrefix: 'a$' }, { robotNamePrefix: 'b$' }).robotNamePrefix, 'b$');
  });

  it('lets a rule id win over its catalog id, and later sources win', () => {
    const settings = mergeSettings({ rules: { 'HB-ADMIN-PW': 'off', x: 'info' } }, { rules: { x: 'error' } });
    assert.equal(effectiveSeverity(settings, { id: 'default-admin-password', catalogId: 'HB-ADMIN-PW' }, 'warning'), 'off');
    assert.equal(effectiveSeverity({ rules: { 'HB-ADMIN-PW': 'off', 'default-admin-password': 'info' }, ignore: [] }, { id: 'default-admin-password', catalogId: 'HB-ADMIN-PW' }, 'warning'), 'info');
    assert.equal(effectiveSeverity(settings, { id: 'x', catalogId: null }, 'warning'), 'error');
  });
});

describe('ignore globs', () => {
  const cases: [string, string, boolean][] = [
    ['examples/**', 'examples/a/values.yaml', true],
    ['examples/**', 'src/examples/values.yaml', false],
    ['vendor/', 'vendor/x/nginx.conf', true],
    ['*.tmpl.yaml', 'deep/dir/values.tmpl.yaml', true],
    ['**/charts/*.yaml', 'a/b/charts/values.yaml', true],
    ['**/charts/*.yaml', 'a/b/charts/x/values.yaml', false],
    ['values?.yaml', 'values1.yaml', true],
    ['values.yaml', 'valuesXyaml', false],
  ];
  for (const [glob, path, expected] of cases) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(isIgnored(path, [glob]), expected, String(globToRegExp(glob))));
  }
});
