// `npm test` after the build: node's test runner over out/test/, two or more test files at a time.
// Node's default (cores - 1) runs one file at a time on a 2-core machine, where the files mostly wait on
// child processes and the file system: the suite took 2m55s that way and 1m55s two at a time.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const concurrency = Math.max(2, availableParallelism() - 1);
const run = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', 'out/test/'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
