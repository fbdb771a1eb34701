/**
 * Real nginx must accept what the quick fixes produce. For every `.conf`
 * fixture of every rule, each fix that edits the file is applied and the
 * result is checked with Debian's `nginx -t`; the untouched fixtures are
 * checked too, where they are valid nginx to begin with.
 *
 * A fixture is a fragment of a deployment, so it is wrapped the way nginx
 * would load it: a file of `server` blocks goes into `events {} http { ... }`,
 * a file of `location`s into a server as well; names that only resolve in the
 * author's network (`proxy_pass http://harbor`, `server core:8080` in an
 * upstream) are declared as upstreams or pointed at 127.0.0.1; certificate
 * paths point at a throwaway certificate made with openssl; `user` is dropped.
 * None of this touches the lines a fix inserts or changes.
 *
 * Skips with a message when `nginx` (apt-get install nginx-light) or `openssl`
 * is not installed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { ruleCatalog } from '../../server/src/core/rules/registry';
import { applyEdits } from '../../server/src/core/text';
import { fixturesOf, lintFixture } from '../helpers/fixtures';
import { complaint, nginxTest, removeNginxWork, skipReason } from '../helpers/nginxCheck';

after(removeNginxWork);

const nginxRules = ruleCatalog.filter((meta) => fixturesOf(meta.id).some((f) => f.path.endsWith('.conf')));

describe('nginx -t accepts every nginx quick fix', { skip: skipReason }, () => {
  it('covers the nginx rules', () => assert.ok(nginxRules.length > 0));
  for (const meta of nginxRules) {
    describe(`rule ${meta.id}`, () => {
      for (const fixture of fixturesOf(meta.id).filter((f) => f.path.endsWith('.conf'))) {
        it(`${fixture.name}: untouched`, async (t) => {
          const original = readFileSync(fixture.path, 'utf8');
          const problem = nginxTest(fixture.path, original);
          if (problem) t.skip(`not valid nginx as it stands: ${problem.split('\n')[0]}`);
        });
        it(`${fixture.name}: every fix`, async (t) => {
          const analysis = await lintFixture(fixture);
          const original = readFileSync(fixture.path, 'utf8');
          const fixes = analysis.findings.filter((f) => f.ruleId === meta.id).flatMap((f) => f.fixes).filter((fix) => fix.safety !== 'display-only' && fix.edits.length > 0);
          if (fixes.length === 0) {
            t.skip('no fix edits this file');
            return;
          }
          const before = nginxTest(fixture.path, original);
          for (const fix of fixes) {
            const fixed = applyEdits(original, fix.edits);
            const problem = nginxTest(fixture.path, fixed);
            if (problem === null) continue;
            // A fixture that nginx already refuses may keep its problem; the fix must not add one.
            assert.ok(before !== null && complaint(problem) === complaint(before), `nginx -t rejects the result of "${fix.title}":\n${problem}\n--- fixed file ---\n${fixed}`);
          }
        });
      }
    });
  }
});
