/**
 * `nginx -t` on a fixture's text, wrapped the way nginx would load it (see
 * test/nginx/nginx-accepts-fixes.test.ts for what the wrapping does and why).
 * Shared by that test and the CLI's --fix test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { NginxDirective } from '../../server/src/core/nginx/ast';
import { parseNginx } from '../../server/src/core/nginx/parser';
import { applyEdits } from '../../server/src/core/text';
import type { TextEdit } from '../../server/src/core/types';

function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    const probe = spawnSync(candidate, ['-v'], { encoding: 'utf8' });
    if (!probe.error) return candidate;
  }
  return undefined;
}

export const nginxBinary = findNginx();
const hasOpenssl = !spawnSync('openssl', ['version']).error;
export const skipReason: string | false = !nginxBinary
  ? 'nginx is not installed (apt-get install nginx-light): fixes are not checked with `nginx -t`'
  : !hasOpenssl
    ? 'openssl is not installed: no throwaway certificate for ssl_certificate'
    : false;

const work = mkdtempSync(join(tmpdir(), 'harbor-audit-nginx-t-'));
/** Call from an `after` hook. KEEP_NGINX_T=1 keeps the wrapped copies for a look. */
export function removeNginxWork(): void {
  if (!process.env.KEEP_NGINX_T) rmSync(work, { recursive: true, force: true });
}

let certs: { cert: string; key: string } | undefined;
function throwawayCertificate(): { cert: string; key: string } {
  if (certs) return certs;
  const cert = join(work, 'throwaway.crt');
  const key = join(work, 'throwaway.key');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=harbor.test', '-days', '2', '-keyout', key, '-out', cert], { encoding: 'utf8' });
  assert.equal(made.status, 0, `openssl could not make a throwaway certificate: ${made.stderr}`);
  certs = { cert, key };
  return certs;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost|unix:.*)$/;

function walk(directives: readonly NginxDirective[], visit: (d: NginxDirective, parents: NginxDirective[]) => void, parents: NginxDirective[] = []): void {
  for (const d of directives) {
    visit(d, parents);
    if (d.block) walk(d.block, visit, [...parents, d]);
  }
}

interface Adapted {
  text: string;
  upstreamsNeeded: Set<string>;
  declared: Set<string>;
}

/** Rewrites one file so that it loads on this machine (see the header comment). */
function adapt(text: string, path: string): Adapted {
  const parsed = parseNginx(text, path);
  const edits: TextEdit[] = [];
  const upstreamsNeeded = new Set<string>();
  const declared = new Set<string>();
  walk(parsed.directives, (d, parents) => {
    const arg = d.args[0];
    if (d.name === 'upstream' && arg) declared.add(arg.value);
    if (d.name === 'user') edits.push({ span: d.span, newText: '' });
    // /dev/stdout is not openable when the test's output is a pipe or socket.
    if ((d.name === 'access_log' || d.name === 'error_log') && arg && /^\/dev\/std(out|err)$/.test(arg.value)) edits.push({ span: arg.span, newText: join(work, 'log.txt') });
    if (d.name === 'ssl_dhparam' || d.name === 'ssl_stapling_file') edits.push({ span: d.span, newText: '' });
    if (/^(proxy_)?ssl_certificate_key$/.test(d.name) && arg && !arg.value.includes('$')) edits.push({ span: arg.span, newText: throwawayCertificate().key });
    else if (/^(proxy_)?ssl_(certificate|trusted_certificate|client_certificate)$/.test(d.name) && arg && !arg.value.includes('$')) edits.push({ span: arg.span, newText: throwawayCertificate().cert });
    if (d.name === 'server' && !d.block && parents[parents.length - 1]?.name === 'upstream' && arg) {
      const match = /^([^:[\]]+)(:\d+)?$/.exec(arg.value);
      if (match && !IP.test(match[1])) edits.push({ span: arg.span, newText: `127.0.0.1${match[2] ?? ''}` });
    }
    if (d.name === 'server' && d.block && d.blockSpan && parents.every((p) => p.name !== 'upstream')) {
      const tls = d.block.some((x) => (x.name === 'listen' && x.args.some((a) => a.value === 'ssl' || a.value === 'quic')) || (x.name === 'ssl' && x.args[0]?.value === 'on'));
      const hasCert = [...parents, d].some((level) => (level.block ?? []).some((x) => x.name === 'ssl_certificate'));
      if (tls && !hasCert) {
        const { cert, key } = throwawayCertificate();
        edits.push({ span: { start: d.blockSpan.start + 1, end: d.blockSpan.start + 1 }, newText: ` ssl_certificate ${cert}; ssl_certificate_key ${key};` });
      }
    }
    if (d.name === 'proxy_pass' && arg) {
      const match = /^(https?:\/\/)([^/:$[\]]+)(:\d+)?(.*)$/.exec(arg.value);
      if (match && !IP.test(match[2])) {
        if (match[3]) edits.push({ span: arg.span, newText: `${match[1]}127.0.0.1${match[3]}${match[4]}` });
        else upstreamsNeeded.add(match[2]);
      }
    }
  });
  return { text: applyEdits(text, edits), upstreamsNeeded, declared };
}

function confFiles(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...confFiles(path));
    else if (/\.conf$/.test(name)) found.push(path);
  }
  return found;
}

let runs = 0;
/** Verdicts by fixture and text: several tests (and --fix with and without --unsafe-fixes) ask about the same text. */
const verdicts = new Map<string, string | null>();

/** `nginx -t` on `text` as the fixture at `fixturePath`; null when nginx accepts it, else nginx's complaint. */
export function nginxTest(fixturePath: string, text: string): string | null {
  const key = `${fixturePath}\0${text}`;
  if (!verdicts.has(key)) verdicts.set(key, runNginxTest(fixturePath, text));
  return verdicts.get(key)!;
}

function runNginxTest(fixturePath: string, text: string): string | null {
  const dir = join(work, `run-${++runs}`);
  cpSync(dirname(fixturePath), dir, { recursive: true, filter: (src) => !src.endsWith('.snap') });
  const target = join(dir, basename(fixturePath));
  writeFileSync(target, text);
  const needed = new Set<string>();
  const declared = new Set<string>();
  // The fixture and the files it may include (in subfolders); sibling fixtures are not part of it.
  const subfolders = readdirSync(dir).map((name) => join(dir, name)).filter((path) => statSync(path).isDirectory());
  for (const file of [target, ...subfolders.flatMap(confFiles)]) {
    const adapted = adapt(readFileSync(file, 'utf8'), file);
    writeFileSync(file, adapted.text);
    adapted.upstreamsNeeded.forEach((h) => needed.add(h));
    adapted.declared.forEach((h) => declared.add(h));
  }
  const upstreams = [...needed].filter((h) => !declared.has(h)).map((h) => `upstream ${h} { server 127.0.0.1:1; }`).join('\n');
  const top = parseNginx(readFileSync(target, 'utf8'), target).directives.map((d) => d.name);
  let main = target;
  if (top.includes('http')) {
    let adapted = readFileSync(target, 'utf8');
    const http = parseNginx(adapted, target).directives.find((d) => d.name === 'http' && d.blockSpan)!;
    adapted = `${adapted.slice(0, http.blockSpan!.start + 1)}\n${upstreams}\n${adapted.slice(http.blockSpan!.start + 1)}`;
    if (!top.includes('events')) adapted += '\nevents {}\n';
    writeFileSync(target, adapted);
  } else {
    main = join(dir, '__nginx_t_wrapper__.conf');
    const include = `include ${basename(target)};`;
    const body = top.includes('location') && !top.includes('server') ? `server {\n listen 127.0.0.1:18080;\n ${include}\n}` : include;
    writeFileSync(main, `events {}\nhttp {\n${upstreams}\n${body}\n}\n`);
  }
  const result = spawnSync(nginxBinary!, ['-t', '-q', '-e', 'stderr', '-p', `${dir}/`, '-c', main], { encoding: 'utf8', timeout: 30_000 });
  if (result.status === 0) return null;
  return (result.stderr || result.stdout || `exit ${result.status}`).replaceAll(dir, '<fixture dir>').trim();
}

/** nginx's complaint without the place it points at (a fix moves lines). */
export function complaint(message: string): string {
  return message
    .replace(/\n.*test failed.*/g, '')
    .replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: /gm, '[$1] ') // time and pid differ per run
    .replace(/ in [^\n]*:\d+$/gm, ''); // the file and line (a fix moves lines)
}

