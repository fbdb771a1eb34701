/**
 * `npm run fuzz -- --count N --seed S [--minutes M] [--out DIR] [--only REGEXP]`: a long
 * fuzz run. Each failing input is shrunk and written to DIR (default
 * fuzz-reproducers/) beside a .json naming its seed file (whose folder its
 * includes and key paths resolve against) and the failure. Exit 1 when
 * anything failed. Does nothing without --run (the script passes it), since
 * the test runner loads every file under out/test/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reproducerName, runFuzz, shrink } from './fuzzer';

async function main(argv: string[]): Promise<number> {
  const option = (name: string, fallback: string) => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
  };
  const count = Number(option('--count', '10000'));
  const seed = Number(option('--seed', String(Date.now() % 100000)));
  const out = resolve(option('--out', 'fuzz-reproducers'));
  const only = option('--only', '');
  const minutes = Number(option('--minutes', '0'));
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: npm run fuzz -- --count N --seed S [--minutes M] [--out DIR] [--only REGEXP]\n');
    return 2;
  }
  const started = Date.now();
  let written = 0;
  const { inputs, failures } = await runFuzz({
    count,
    seed,
    filter: only ? new RegExp(only) : undefined,
    // A time box for long runs on a shared machine: stop after M minutes with what ran so far.
    ...(minutes > 0 ? { deadline: started + minutes * 60_000 } : {}),
    onFailure: async (found) => {
      const minimal = await shrink(found.seed, found.text, found.failure);
      mkdirSync(out, { recursive: true });
      const name = reproducerName(found, seed);
      writeFileSync(join(out, name), minimal);
      writeFileSync(join(out, `${name}.json`), JSON.stringify({ seedFile: found.seed.name, fuzzSeed: seed, index: found.index, failure: found.failure, shrunkFrom: found.text.length, shrunkTo: minimal.length }, null, 2) + '\n');
      written++;
      process.stderr.write(`#${found.index} ${found.failure.kind} on a mutation of ${found.seed.name}: ${found.failure.detail.split('\n')[0]}\n  -> ${join(out, name)} (${minimal.length} characters)\n`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${inputs}${inputs < count ? ` of ${count}` : ''} inputs (seed ${seed}) in ${seconds.toFixed(1)} s: ${failures.length} failed${written ? `, reproducers in ${out}` : ''}\n`);
  return failures.length > 0 ? 1 : 0;
}

if (process.argv.includes('--run')) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
}
