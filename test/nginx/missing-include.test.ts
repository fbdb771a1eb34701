/** An include whose file is not here is no finding: the hover on it and the CLI's summary line say so. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { analyzeText, hoverAt } from '../../server/src/core/languageService';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { FRONT_PROXY_CLEAN } from '../helpers/samples';

// A clean front proxy whose location also includes Debian's proxy_params (not in the workspace).
const CONF = FRONT_PROXY_CLEAN.replace('        proxy_pass', '        include proxy_params;\n        proxy_pass');

describe('an include whose file is only on the proxy host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harbor-audit-missing-include-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'harbor.conf');
  writeFileSync(path, CONF);

  it('is not a finding; the analysis lists it as not read here', async () => {
    const analysis = await analyzeText({ uri: path, path, text: CONF }, { files: createNodeFileAccess() });
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), []);
    assert.deepEqual(analysis.unreadablePaths.map((p) => [p.kind, p.written]), [['include', 'proxy_params']]);
  });

  it('the hover on the include says it was not followed and why the rules stay quiet', async () => {
    const hover = await hoverAt({ uri: path, path, text: CONF }, CONF.indexOf('proxy_params') + 3, { files: createNodeFileAccess() });
    assert.match(hover!.markdown, /`include proxy_params`\*\* was not followed/);
    assert.match(hover!.markdown, /do not report those settings as missing/);
  });

  it('the CLI summary line counts it', async () => {
    let stdout = '';
    const code = await runCli([path], { stdout: (t) => (stdout += t), stderr: () => undefined, cwd: dir });
    assert.equal(code, 0);
    assert.match(stdout, /No problems found in 1 Harbor config file\.\n1 nginx include not followed: the file is not here/);
  });
});
