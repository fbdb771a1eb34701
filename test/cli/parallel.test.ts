/**
 * The CLI on worker threads (issue 11 item 10): the same output as on one
 * thread, in the same order, from the compiled modules and from the bundle;
 * small runs start no worker.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../server/src/cli/main';
import { defaultJobs, idleCores, lintInWorkers, MIN_FILES_FOR_WORKERS, usesWorkers, type LintTarget } from '../../server/src/cli/parallel';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { filesUnder } from '../helpers/fixtures';
import { defaultSettings } from '../../server/src/core/settings';
import { repoRoot } from '../helpers/fixtures';

const work = mkdtempSync(join(tmpdir(), 'harbor-audit-parallel-'));
after(() => rmSync(work, { recursive: true, force: true }));
// The examples four times over: enough files for workers, findings in many of them.
for (let i = 0; i < 4; i++) cpSync(join(repoRoot, 'examples'), join(work, `copy-${i}`), { recursive: true });

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: work });
  return { code, stdout, stderr };
}

describe('harbor-audit on worker threads', () => {
  it('has enough files here to use them, and small runs or seeded runs do not', () => {
    const files = Number(spawnSync('find', [work, '-type', 'f'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length);
    assert.ok(files >= MIN_FILES_FOR_WORKERS, `${files} files`);
    assert.equal(usesWorkers(files, { settings: defaultSettings, searchRoots: [] }, { jobs: 2 }), true);
    assert.equal(usesWorkers(MIN_FILES_FOR_WORKERS - 1, { settings: defaultSettings, searchRoots: [] }, { jobs: 2 }), false);
    assert.equal(usesWorkers(files, { settings: defaultSettings, searchRoots: [] }, { jobs: 1 }), false);
    assert.equal(usesWorkers(files, { settings: defaultSettings, searchRoots: [], random: () => new Uint8Array(0) }, { jobs: 2 }), false);
  });

  it('prints what one thread prints, in the same order (json and text, compiled modules)', async () => {
    for (const format of ['json', 'text']) {
      const one = await cli(['--format', format, '--jobs', '1', '.']);
      const three = await cli(['--format', format, '--jobs', '3', '.']);
      assert.equal(one.code, 1, one.stderr);
      assert.deepEqual(three, one);
    }
  });

  it('works from the bundle (dist/cli.js), the way the command runs', () => {
    const run = (jobs: string) => spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), '--format', 'json', '--jobs', jobs, '.'], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    const one = run('1');
    const two = run('2');
    assert.equal(one.status, 1, one.stderr);
    assert.equal(two.status, 1, two.stderr);
    assert.equal(two.stdout, one.stdout);
    assert.ok(JSON.parse(two.stdout).findings.length > 10);
  });

  it('this thread yields between its files, so the workers are fed while it lints (its reads are synchronous)', async () => {
    const targets: LintTarget[] = filesUnder(work).map((absolute) => ({ display: absolute, absolute, explicit: false, maxBytes: 1 << 20 }));
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const turnAtFile: number[] = [];
    const files = createNodeFileAccess({ synchronous: true });
    await lintInWorkers(targets, { settings: defaultSettings, searchRoots: [work] }, files, { jobs: 1, onLinted: () => turnAtFile.push(turns) });
    ticking = false;
    assert.equal(turnAtFile.length, targets.length);
    // Without the yield, a synchronous lint loop never returns to the event loop: every file would see the same turn.
    for (let i = 1; i < turnAtFile.length; i++) assert.ok(turnAtFile[i] > turnAtFile[i - 1], `file ${i} linted in the same event-loop turn as file ${i - 1}`);
  });

  it('gives the workers a share of the files', async () => {
    const targets: LintTarget[] = filesUnder(work).map((absolute) => ({ display: absolute, absolute, explicit: false, maxBytes: 1 << 20 }));
    const byThread = [0, 0];
    await lintInWorkers(targets, { settings: defaultSettings, searchRoots: [work] }, createNodeFileAccess({ synchronous: true }), { jobs: 2, onLinted: (_, thread) => byThread[thread]++ });
    assert.equal(byThread[0] + byThread[1], targets.length);
    assert.ok(byThread[1] > 0, `the worker linted ${byThread[1]} of ${targets.length}`);
  });

  it('hands the name index built in this thread to the workers (they do not walk the tree again)', async () => {
    const built = createNodeFileAccess({ synchronous: true });
    const found = await built.findByName!('harbor.yml', [work]);
    assert.ok(found.length >= 4, `${found.length} harbor.yml under ${work}`);
    const indexes = await built.builtNameIndexes();
    assert.deepEqual([...indexes.keys()], [work]);
    // A seeded index answers without listing a folder: a path that is not on disk comes back as seeded.
    const seeded = createNodeFileAccess({ nameIndexTtlMs: Infinity, nameIndexes: new Map([[work, new Map([['harbor.yml', ['/seeded/harbor.yml']]])]]) });
    assert.deepEqual(await seeded.findByName!('harbor.yml', [work]), ['/seeded/harbor.yml']);
  });

  it('uses the idle cores by default: none when the machine is busy, nor with only two of them', () => {
    assert.equal(idleCores(2, 0.1), 2);
    assert.equal(idleCores(2, 0.7), 1);
    assert.equal(idleCores(2, 3.5), 1);
    assert.equal(idleCores(8, 2.2), 6);
    assert.equal(defaultJobs(idleCores(2, 0.1)), 1, 'two threads on two cores were slower than one (bench)');
    assert.equal(defaultJobs(idleCores(4, 0.5)), 4);
    assert.equal(defaultJobs(idleCores(8, 2.2)), 6);
  });

  it('refuses a --jobs that is not a number of threads', async () => {
    for (const bad of ['0', '-1', 'x', '1.5']) {
      const result = await cli(['--jobs', bad, '.']);
      assert.equal(result.code, 2, bad);
      assert.match(result.stderr, /--jobs takes a number of threads/);
    }
  });
});
