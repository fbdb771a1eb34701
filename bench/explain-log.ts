/**
 * `harbor-audit explain` over large logs: lines per second and peak memory,
 * against a bare line-by-line read of the same file in the same run. Each
 * measurement runs in its own process so its peak RSS is its own.
 *   npm run bench:explain            (20 MB and 200 MB)
 *   BENCH_LOG_MB=50 npm run bench:explain
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { runExplainCommand } from '../server/src/cli/explain';

const LINES = [
  (i: number) => `10.0.${i % 250}.${i % 200} - - [15/Jun/2025:14:40:01 +0000] "GET /v2/apps/web/manifests/sha256:${(i * 7919).toString(16).padStart(12, '0')} HTTP/1.1" 200 1570 "-" "docker/27.3.1 go/go1.22.7"`,
  (i: number) => `10.0.${i % 250}.${i % 200} - - [15/Jun/2025:14:40:02 +0000] "POST /v2/apps/web${i % 97}/blobs/uploads/ HTTP/1.1" 202 0 "-" "docker/27.3.1 go/go1.22.7"`,
  (i: number) => `10.0.${i % 250}.${i % 200} - - [15/Jun/2025:14:40:03 +0000] "PUT /v2/apps/web${i % 97}/blobs/uploads/${i}-uuid?_state=x&digest=sha256:1 HTTP/1.1" ${i % 50 === 0 ? 401 : 201} 0 "-" "docker/27.3.1 go/go1.22.7"`,
  (i: number) => `core         | 2025-10-29T15:38:26Z [INFO] [/server/middleware/log/log.go:30][requestID=${i}]: attach request id`,
  (i: number) => `registry     | time="2025-10-29T15:38:26.${i}Z" level=info msg="response completed" http.request.method=GET http.request.uri="/v2/" http.response.status=200 http.request.remoteaddr=10.0.0.${i % 200}`,
  (i: number) => (i % 200 === 0 ? `core         | 2025-10-29T15:38:26Z [ERROR] [/pkg/token/token.go:80]: parse token error, token signature is invalid: crypto/rsa: verification error` : `jobservice   | 2025-10-29T15:38:26Z [INFO] [/jobservice/worker.go:77]: job ${i} done`),
];

async function writeLog(path: string, megabytes: number): Promise<number> {
  const out = createWriteStream(path);
  let written = 0;
  let lines = 0;
  const target = megabytes * 1024 * 1024;
  while (written < target) {
    // One block of lines per client and push, so uploads pair up as they do in a real log.
    const line = LINES[lines % LINES.length](Math.floor(lines / LINES.length)) + '\n';
    written += line.length;
    lines++;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return lines;
}

/** In the child: one measurement, printed as JSON. */
async function child(mode: string, path: string): Promise<void> {
  const start = performance.now();
  let lines = 0;
  if (mode === 'read') {
    for await (const _line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) lines++;
  } else {
    let output = '';
    const code = await runExplainCommand(['--format', 'json', '--log', path], { stdout: (t) => (output += t), stderr: () => undefined, cwd: process.cwd() }, async () => []);
    if (code !== 1) throw new Error(`explain exited ${code}`);
    lines = JSON.parse(output).incidents.length;
  }
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

function measure(mode: string, path: string): { ms: number; maxRssMb: number } {
  const result = spawnSync(process.execPath, [__filename, '--child', mode, path], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  const dir = join(__dirname, '..', '..', '.bench-tmp', 'explain');
  mkdirSync(dir, { recursive: true });
  const sizes = process.env.BENCH_LOG_MB ? [Number(process.env.BENCH_LOG_MB)] : [20, 200];
  console.log('explain over a generated log (access, core, registry and jobservice lines; 1 in 50 pushes broken)');
  console.log('size     lines       read (s)  explain (s)  ratio  explain lines/s  peak RSS read / explain');
  try {
    for (const mb of sizes) {
      const path = join(dir, `explain-${mb}mb.log`);
      const lines = await writeLog(path, mb);
      const read = measure('read', path);
      const explain = measure('explain', path);
      console.log(
        `${String(Math.round(statSync(path).size / 1048576)).padStart(4)} MB ${String(lines).padStart(10)}  ${(read.ms / 1000).toFixed(2).padStart(8)}  ${(explain.ms / 1000).toFixed(2).padStart(11)}  ${(explain.ms / read.ms).toFixed(1).padStart(5)}x  ${Math.round(lines / (explain.ms / 1000)).toLocaleString('en-US').padStart(15)}  ${read.maxRssMb.toFixed(0)} MB / ${explain.maxRssMb.toFixed(0)} MB`,
      );
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
