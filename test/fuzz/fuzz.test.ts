/** The seeded fuzzer in the suite: a few thousand mutated fixtures, bounded to about 30 s of wall time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkInput, loadSeeds, mutate, prng, repoRoot, runFuzz } from './fuzzer';

describe('fuzzing the core', { timeout: 120000 }, () => {
  it('the fuzzer is deterministic and its check catches what it should', async () => {
    const seeds = loadSeeds();
    assert.ok(seeds.length > 100, `${seeds.length} seeds`);
    const a = prng(42);
    const b = prng(42);
    assert.equal(mutate(seeds[0].text, a, seeds), mutate(seeds[0].text, b, seeds));
    const values = seeds.find((seed) => seed.name.endsWith('.yaml'))!;
    assert.equal(await checkInput(values, values.text), undefined);
  });

  it('3,000 mutated inputs: no throw, no rule failure, spans and fixes inside the text, each under 1 s of CPU', async () => {
    const { inputs, failures } = await runFuzz({ count: 3000, seed: 20261202, deadline: Date.now() + 25000 });
    assert.ok(inputs >= 200, `only ${inputs} inputs ran`);
    assert.deepEqual(
      failures.map((f) => `#${f.index} ${f.failure.kind} on ${f.seed.name}: ${f.failure.detail.split('\n')[0]}`),
      [],
      'reproduce with `npm run fuzz -- --count 3000 --seed 20261202`',
    );
  });
});

describe('fuzz reproducers', () => {
  // Inputs the long runs found (test/fuzz/reproducers, each beside a .json naming its seed file): they stay fixed.
  const folder = join(repoRoot, 'test', 'fuzz', 'reproducers');
  const seeds = loadSeeds();
  for (const name of readdirSync(folder).filter((file) => !file.endsWith('.json')).sort()) {
    it(name, async () => {
      const meta = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')) as { seedFile: string };
      const seed = seeds.find((candidate) => candidate.name === meta.seedFile);
      assert.ok(seed, `seed ${meta.seedFile}`);
      assert.equal(await checkInput(seed, readFileSync(join(folder, name), 'utf8')), undefined);
    });
  }
});
