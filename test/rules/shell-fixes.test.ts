/**
 * Quick fixes on shell scripts must leave them valid shell: every fix of every
 * `*.sh` fixture is applied and the result checked with `bash -n`, and with
 * `sh -n` when the script asks for `/bin/sh`. Skipped where the shell is absent.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ruleCatalog } from '../../server/src/core/rules/registry';
import { applyEdits } from '../../server/src/core/text';
import { fixturesOf, lintFixture } from '../helpers/fixtures';

const hasShell = (shell: string) => spawnSync(shell, ['-c', 'true']).status === 0;

function syntaxError(shell: string, path: string): string | undefined {
  const result = spawnSync(shell, ['-n', path], { encoding: 'utf8' });
  return result.status === 0 ? undefined : result.stderr || `exit ${result.status}`;
}

describe('shell fixes keep scripts valid', () => {
  const shellFixtures = ruleCatalog.flatMap((meta) => fixturesOf(meta.id)).filter((f) => f.mustFire && /\.(sh|bash)$/.test(f.name));
  const dir = mkdtempSync(join(tmpdir(), 'harbor-audit-shell-'));
  for (const fixture of shellFixtures) {
    it(`${fixture.ruleId}/${fixture.name}`, async (t) => {
      if (!hasShell('bash')) return t.skip('bash is not installed');
      const text = readFileSync(fixture.path, 'utf8');
      const posix = /^#!\s*\/bin\/sh\b/.test(text);
      assert.equal(syntaxError('bash', fixture.path), undefined, 'the fixture itself must be valid bash');
      const analysis = await lintFixture(fixture);
      let checked = 0;
      for (const finding of analysis.findings) {
        for (const fix of finding.fixes) {
          if (fix.edits.length === 0) continue;
          const path = join(dir, `${fixture.ruleId}-${checked++}-${fixture.name}`);
          writeFileSync(path, applyEdits(text, fix.edits));
          assert.equal(syntaxError('bash', path), undefined, `bash -n after "${fix.title}"`);
          if (posix && hasShell('sh')) assert.equal(syntaxError('sh', path), undefined, `sh -n after "${fix.title}"`);
        }
      }
    });
  }
  it('cleans up', () => rmSync(dir, { recursive: true, force: true }));
});
