/**
 * Start-up of the `harbor-audit` command against a bare `node -e 0`, in the same run (issue 9:
 * `--version` within 1.3x): the entry answers --version without loading the core; a lint of one
 * small file shows what loading the core costs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './stats';

export function startupBenchmarks(runs: number): void {
  const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'harbor-audit-startup-'));
  const small = join(dir, 'harbor.yml');
  writeFileSync(small, 'hostname: registry.example.com\nharbor_admin_password: Zq7mWp2kLx9R\n');
  const cases: [string, string[]][] = [
    ['node -e 0', ['-e', '0']],
    ['harbor-audit --version', [cli, '--version']],
    ['harbor-audit on one small harbor.yml', [cli, '--allow-empty', small]],
  ];
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  // Interleaved, so that a change in the machine's load touches every case alike.
  for (let i = 0; i < Math.max(runs, 11); i++) {
    for (const [name, args] of cases) {
      const start = process.hrtime.bigint();
      try {
        execFileSync(process.execPath, args, { stdio: 'ignore' });
      } catch {
        // exit 1 (findings) is a normal end
      }
      samples.get(name)!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const base = median(samples.get('node -e 0')!);
  console.log('');
  console.log('Command start-up, median wall time (target: --version within 1.3x of node -e 0)');
  console.log('| command | median | vs node -e 0 |');
  console.log('|---|---|---|');
  for (const [name] of cases) console.log(`| ${name} | ${median(samples.get(name)!).toFixed(1)} ms | ${(median(samples.get(name)!) / base).toFixed(2)}x |`);
}
