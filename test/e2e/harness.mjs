// Shared plumbing for the real-editor tests (test/e2e/*.test.mjs). Plain ESM on purpose: these
// files are not compiled by `tsc -p .`, so `npm test` (node --test out/test/) never runs them.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(E2E_DIR, '../..');
export const WORKSPACE_FIXTURE = join(E2E_DIR, 'workspace');
/** Workspaces that hold one file each, at the paths users keep them (`single-file/<name>/...`). */
export const SINGLE_FILE_FIXTURES = join(E2E_DIR, 'single-file');
export const MANIFEST = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

export const CS_VERSION = process.env.HARBOR_E2E_CS_VERSION || '4.100.3';
const CACHE = process.env.HARBOR_E2E_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'harbor-audit-e2e');

/** Where scripts/e2e-setup.sh put code-server (or $CODE_SERVER). */
export function codeServerEntry() {
  const entry = process.env.CODE_SERVER || join(CACHE, `code-server-${CS_VERSION}`, 'node_modules/code-server/out/node/entry.js');
  if (!existsSync(entry)) throw new Error(`code-server not found at ${entry}: run scripts/e2e-setup.sh first (or set CODE_SERVER)`);
  return entry;
}

export const CHROMIUM = process.env.HARBOR_E2E_CHROMIUM || '/usr/bin/chromium';

/** The .vsix that `npm run package` writes (or $HARBOR_E2E_VSIX). */
export function vsixPath() {
  const path = resolve(REPO, process.env.HARBOR_E2E_VSIX || `${MANIFEST.name}-${MANIFEST.version}.vsix`);
  if (!existsSync(path)) throw new Error(`${path} not found: run \`npm run package\` first (npm run test:e2e does)`);
  return path;
}

/**
 * Negative control: HARBOR_E2E_SERVER=<file> replaces the language server in every editor
 * (the installed extension's dist/cli.js in VS Code; the LSP command in Neovim), e.g.
 * test/e2e/silent-server.cjs, which publishes nothing. The suite must then fail.
 */
export function serverOverride() {
  const value = process.env.HARBOR_E2E_SERVER;
  if (!value) return undefined;
  const path = resolve(REPO, value);
  if (!existsSync(path)) throw new Error(`HARBOR_E2E_SERVER=${value}: ${path} does not exist`);
  console.log(`# HARBOR_E2E_SERVER: using ${path} instead of the real language server (negative control)`);
  return path;
}

/** Screenshots go to $HARBOR_E2E_SCREENSHOTS (e.g. docs/images) or into the run directory. */
export function screenshotPath(run, name) {
  const dir = process.env.HARBOR_E2E_SCREENSHOTS ? resolve(REPO, process.env.HARBOR_E2E_SCREENSHOTS) : join(run.dir, 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * A fresh directory per run holding a copy of the fixture workspace (the quick fix edits and
 * saves files) and HOME/XDG/TMP for every process started, so that code-server, chromium and
 * nvim write nothing into the real home directory.
 */
export function createRun(tag) {
  const dir = mkdtempSync(join(process.env.HARBOR_E2E_RUN_ROOT || tmpdir(), `harbor-audit-e2e-${tag}-`));
  const home = join(dir, 'home');
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    TMPDIR: join(dir, 'tmp'),
  };
  for (const d of [home, env.XDG_CONFIG_HOME, env.XDG_DATA_HOME, env.XDG_STATE_HOME, env.XDG_CACHE_HOME, env.XDG_RUNTIME_DIR, env.TMPDIR]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  const workspace = join(dir, 'workspace');
  cpSync(WORKSPACE_FIXTURE, workspace, { recursive: true });
  let failed = false;
  return {
    dir,
    env,
    workspace,
    /** A fresh copy of `single-file/<name>` in the run directory; returns its path. */
    singleFileWorkspace(name) {
      const target = join(dir, `single-file-${name}`);
      cpSync(join(SINGLE_FILE_FIXTURES, name), target, { recursive: true });
      return target;
    },
    markFailed() {
      failed = true;
    },
    /** Keeps the directory (logs, screenshots) after a failure or with HARBOR_E2E_KEEP=1. */
    dispose() {
      if (failed || process.env.HARBOR_E2E_KEEP) console.log(`# run directory kept: ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Timestamps relative to the start of the test file, for the timing lines in the output. */
export function stopwatch() {
  const t0 = Date.now();
  const marks = {};
  return {
    marks,
    mark(label) {
      marks[label] = Date.now() - t0;
      console.log(`# [${String(marks[label]).padStart(6)} ms] ${label}`);
    },
  };
}
