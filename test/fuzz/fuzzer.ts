/**
 * A seeded mutation fuzzer over the fixtures and examples: each input is a
 * real config with a few hostile edits, linted as the CLI would lint it. An
 * input fails when the core throws, a rule fails (internalErrors), a span or
 * fix lies outside the text, fixes cannot be applied, or the analysis costs
 * more than a second of CPU. Failing inputs shrink to a minimal reproducer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { analyzeText } from '../../server/src/core/languageService';
import { seededRandom } from '../../server/src/core/secrets';
import { applyEdits } from '../../server/src/core/text';
import type { FileAccess, Span } from '../../server/src/core/types';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';

export const repoRoot = join(__dirname, '..', '..', '..');
const SEED_FOLDERS = ['test/fixtures', 'examples'];
const MAX_SEED_BYTES = 64 * 1024;
/** CPU time, not wall time: eight helpers share two cores, and a busy machine must not fail an input. */
export const MAX_INPUT_CPU_MS = 1000;

export interface Seed {
  /** Relative to the repository, for messages and reproducer names. */
  name: string;
  /** Absolute: includes, keys and certificates resolve against it. */
  path: string;
  text: string;
}

export interface Failure {
  kind: 'throw' | 'internal-error' | 'span' | 'fix' | 'slow';
  detail: string;
}

/** mulberry32: small, fast and the same on every machine. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text files of the fixture and example folders (not snapshots, not binary). */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && stat.size <= MAX_SEED_BYTES && !name.endsWith('.snap')) {
        const bytes = readFileSync(path);
        if (bytes.includes(0)) continue;
        seeds.push({ name: relative(repoRoot, path), path, text: bytes.toString('utf8') });
      }
    }
  };
  for (const folder of SEED_FOLDERS) walk(join(repoRoot, folder));
  return seeds;
}

const TOKENS = [
  '{{', '}}', '{{ .Values.x }}', '{%', '%}', '{#', '%{', '${', '$(', '{', '}', '[', ']', ':', ': ', ' : ', '\n', '\r\n', '\r', '\t', '"', "'", '#', '---\n', '...\n',
  '- ', '|', '|-', '>', '&a ', '*a', '!!binary ', '!!str ', '? ', ',', ';', ' ;', 'include *;', 'include ../*;', 'server {', 'location / {', 'location ~ ^/v2/ {',
  'proxy_pass http://x;', 'proxy_set_header', '\0', '\uFFFD', '\uD800', '\uDC00', '\u00e9', '\u200b', '\uFEFF', 'ENC[AES256_GCM,data:', '-----BEGIN CERTIFICATE-----\n',
  '-----END CERTIFICATE-----', '-----BEGIN RSA PRIVATE KEY-----\n', 'externalURL', 'externalURL:', 'https://', 'http://', ':443', ':0', 'harbor.example.com', '*.example.com',
  '0', '-1', '1.1', '1e999', 'on', 'off', 'true', 'null', '~', '[]', '{}', '\\', '\\0', '$', 'ssl_certificate ', 'ssl_certificate_key ', 'hostname: ', 'expose:', 'tls:',
  'certSource: secret', 'type: ingress', 'type: nodePort', 'apiVersion: v1', 'kind: Secret', 'tls.crt: ', 'data:', 'stringData:', '  ', '    ', '        ',
  '[DEFAULT]', 'hostname = ', 'ui_url_protocol = ', '=', '<<: *a', 'harbor-audit-disable-next-line', '# harbor-audit-disable-file ',
];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));

/** One to four edits: deletions, insertions of syntax-heavy tokens, duplications, splices from another seed, long runs. */
export function mutate(text: string, random: () => number, seeds: readonly Seed[]): string {
  let result = text;
  const count = between(random, 1, 4);
  for (let i = 0; i < count; i++) {
    const at = between(random, 0, result.length);
    switch (between(random, 0, 9)) {
      case 0: // delete a short range
        result = result.slice(0, at) + result.slice(Math.min(result.length, at + between(random, 1, 24)));
        break;
      case 1: // insert a token
      case 2:
        result = result.slice(0, at) + pick(random, TOKENS) + result.slice(at);
        break;
      case 3: { // duplicate a range elsewhere
        const start = between(random, 0, result.length);
        const piece = result.slice(start, start + between(random, 1, 200));
        result = result.slice(0, at) + piece + result.slice(at);
        break;
      }
      case 4: // replace one character
        result = result.slice(0, at) + pick(random, TOKENS).slice(0, 1) + result.slice(at + 1);
        break;
      case 5: // truncate
        result = result.slice(0, at);
        break;
      case 6: { // swap two lines
        const lines = result.split('\n');
        const a = between(random, 0, lines.length - 1);
        const b = between(random, 0, lines.length - 1);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        result = lines.join('\n');
        break;
      }
      case 7: { // splice a chunk of another seed
        const other = pick(random, seeds).text;
        const start = between(random, 0, other.length);
        result = result.slice(0, at) + other.slice(start, start + between(random, 1, 400)) + result.slice(at);
        break;
      }
      case 8: // a long run of one token (thousands of `include *;` included: resolution is linear in them)
        result = result.slice(0, at) + pick(random, TOKENS).repeat(between(random, 50, 3000)) + result.slice(at);
        break;
      case 9: { // re-indent a line
        const lines = result.split('\n');
        const line = between(random, 0, lines.length - 1);
        lines[line] = ' '.repeat(between(random, 0, 9)) + lines[line].trimStart();
        result = lines.join('\n');
        break;
      }
    }
  }
  return result;
}

const inside = (span: Span, length: number) => Number.isInteger(span.start) && Number.isInteger(span.end) && 0 <= span.start && span.start <= span.end && span.end <= length;

/** Lints one input the way the CLI does (its seed's path, a real file system) and says what went wrong, if anything. */
export async function checkInput(seed: Seed, text: string, files: FileAccess = defaultFiles): Promise<Failure | undefined> {
  const cpuBefore = process.cpuUsage();
  let analysis;
  try {
    analysis = await analyzeText({ uri: seed.name, path: seed.path, text }, { files, random: seededRandom() });
  } catch (error) {
    return { kind: 'throw', detail: firstLines((error as Error)?.stack ?? String(error)) };
  }
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (analysis.internalErrors.length > 0) {
    const [first] = analysis.internalErrors;
    return { kind: 'internal-error', detail: `${first.ruleId}: ${firstLines(first.message)}` };
  }
  for (const finding of analysis.findings) {
    if (!inside(finding.span, text.length)) return { kind: 'span', detail: `${finding.ruleId} span [${finding.span.start}, ${finding.span.end}) in ${text.length} characters` };
    for (const fix of finding.fixes) {
      const bad = fix.edits.find((edit) => !inside(edit.span, text.length));
      if (bad) return { kind: 'span', detail: `${finding.ruleId} fix "${fix.title}" edits [${bad.span.start}, ${bad.span.end}) in ${text.length} characters` };
      try {
        applyEdits(text, fix.edits);
      } catch (error) {
        return { kind: 'fix', detail: `${finding.ruleId} fix "${fix.title}": ${(error as Error).message}` };
      }
    }
  }
  if (cpuMs > MAX_INPUT_CPU_MS) {
    // Measure again before believing it: a collection of an earlier input's garbage may have landed here.
    const again = process.cpuUsage();
    await analyzeText({ uri: seed.name, path: seed.path, text }, { files, random: seededRandom() }).catch(() => undefined);
    const second = process.cpuUsage(again);
    const secondMs = (second.user + second.system) / 1000;
    if (secondMs > MAX_INPUT_CPU_MS) return { kind: 'slow', detail: `${Math.round(Math.min(cpuMs, secondMs))} ms of CPU for ${text.length} characters` };
  }
  return undefined;
}

const defaultFiles = createNodeFileAccess();

function firstLines(text: string): string {
  return text.split('\n').slice(0, 4).join('\n');
}

/** Same kind, and for a throw or rule failure the same first line: shrinking must keep the bug, not find another. */
function sameFailure(a: Failure, b: Failure): boolean {
  return a.kind === b.kind && (a.kind === 'slow' || a.kind === 'span' ? true : a.detail.split('\n')[0] === b.detail.split('\n')[0]);
}

/** Removes chunks (halves down to single characters) while the failure persists. */
export async function shrink(seed: Seed, text: string, failure: Failure, budgetMs = 20000): Promise<string> {
  const deadline = Date.now() + budgetMs;
  let current = text;
  for (let size = Math.max(1, Math.floor(current.length / 2)); size >= 1 && Date.now() < deadline; size = Math.floor(size / 2)) {
    for (let start = 0; start < current.length && Date.now() < deadline; ) {
      const candidate = current.slice(0, start) + current.slice(start + size);
      const result = await checkInput(seed, candidate);
      if (result && sameFailure(result, failure)) current = candidate;
      else start += size;
    }
    if (size === 1) break;
  }
  return current;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Stop early at this time (ms since the epoch): keeps the test suite bounded on a busy machine. */
  deadline?: number;
  /** Only seeds whose name matches. */
  filter?: RegExp;
  onFailure?: (found: FoundFailure) => void | Promise<void>;
}

export interface FoundFailure {
  index: number;
  seed: Seed;
  text: string;
  failure: Failure;
}

export async function runFuzz(options: FuzzOptions): Promise<{ inputs: number; failures: FoundFailure[] }> {
  const seeds = loadSeeds().filter((seed) => !options.filter || options.filter.test(seed.name));
  const random = prng(options.seed);
  const failures: FoundFailure[] = [];
  let inputs = 0;
  for (let index = 0; index < options.count; index++) {
    if (options.deadline !== undefined && Date.now() > options.deadline) break;
    const seed = pick(random, seeds);
    const text = mutate(seed.text, random, seeds);
    inputs++;
    const failure = await checkInput(seed, text);
    if (!failure) continue;
    const found = { index, seed, text, failure };
    failures.push(found);
    await options.onFailure?.(found);
  }
  return { inputs, failures };
}

/** A reproducer's file name keeps the seed's extension, so recognition treats it the same way. */
export function reproducerName(found: FoundFailure, seed: number): string {
  const base = found.seed.name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.[^.]*$/, '');
  return `${base}-${found.failure.kind}-s${seed}-i${found.index}${extname(found.seed.path)}`;
}
