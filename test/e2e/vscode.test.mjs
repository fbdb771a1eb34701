// Real-editor test #1: the packaged .vsix installed into code-server (VS Code's workbench in a
// browser, with a real Node extension host), driven by playwright-core + Debian's chromium.
//
// Needs: scripts/e2e-setup.sh (chromium, code-server) and the .vsix (`npm run package`);
// `npm run test:e2e` does the packaging. Env: see test/e2e/README.md.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CS_VERSION, MANIFEST, REPO, codeServerEntry, createRun, screenshotPath, serverOverride, stopwatch, vsixPath } from './harness.mjs';

const FIRST_DIAGNOSTIC_TIMEOUT = 90_000; // extension host start + server start + first analysis
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = { timeout: 240_000 }; // a hung browser or editor fails the case instead of the CI run
const QUICK_FIX = 'Add "client_max_body_size 0;" to this server';

/**
 * Commands whose e2e case is written later. While the manifest does not contribute the command
 * the case is skipped with this reason; once it does, the placeholder fails so that the case gets
 * written (put the real steps into `run`).
 */
const PENDING_COMMANDS = [
  {
    command: 'harborAudit.keys.compare',
    title: 'Harbor: Compare Key and Certificate',
    // With the key open, the command asks for the second file in VS Code's own file dialog, then
    // shows the verdict as a notification and a markdown report.
    run: async ({ page, expectVisible, screenshot, runCommand, quickOpen }) => {
      await quickOpen('tls/harbor.key');

      await runCommand('Harbor: Compare Key and Certificate', { waitClosed: false });

      // code-server's file dialog is a quick input holding a path.
      const dialog = page.locator('.quick-input-widget').filter({ hasText: 'select the file to compare' });
      await expectVisible(dialog, 'file dialog for the certificate');
      const certificate = dialog.locator('.monaco-list-row').filter({ hasText: 'harbor.crt' });
      await expectVisible(certificate, 'harbor.crt in the file dialog');
      await certificate.first().click();
      if (await dialog.first().isVisible()) await page.keyboard.press('Enter');

      const toast = page.locator('.notifications-toasts').filter({ hasText: 'Harbor: MATCH' });
      await expectVisible(toast, 'MATCH notification');
      const text = await toast.first().innerText();
      assert.doesNotMatch(text, /BEGIN|PRIVATE KEY/, 'no key material in the notification');
      await expectVisible(page.locator('.tabs-container .tab').filter({ hasText: /Preview/ }), 'markdown report');
      await screenshot('vscode-compare-key-and-certificate.png');
    },
  },
  {
    command: 'harborAudit.explainLog',
    title: 'Harbor: Explain Log…',
    // core.log (docker compose shape): its signature line gets an information diagnostic; the selected
    // lines explained open as a rendered markdown preview whose links lead to harbor.yml's line.
    run: async ({ page, openFile, runCommand, expectVisible, screenshot, showProblems, problemRows, editor }) => {
      await page.keyboard.press('Escape');
      await openFile('core.log');
      await showProblems();
      await expectVisible(problemRows().filter({ hasText: 'admin-password-ignored' }).filter({ hasText: 'only used on the first start' }), 'Problems entry admin-password-ignored for core.log');

      await editor().locator('.view-lines').click();
      await page.keyboard.press('Control+A');
      await runCommand('Harbor: Explain Log…');

      // The markdown preview is a webview: an iframe holding the rendered document in #active-frame.
      const preview = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
      await expectVisible(preview.locator('h1').filter({ hasText: 'Harbor log explained' }), 'rendered Explain Log report', 60_000);
      await expectVisible(preview.locator('h2').filter({ hasText: 'The configured admin password is not the one in use' }), 'the admin-password incident');
      const link = preview.locator('a').filter({ hasText: 'harbor.yml:5' });
      await expectVisible(link, 'link to harbor.yml line 5');
      const body = await preview.locator('body').innerText();
      assert.ok(!body.includes('E2eS3cretPw'), 'the password in the docker login line is masked');
      assert.match(body, /admin:\*\*\*@harbor\.example\.com/);
      await screenshot('vscode-explain-log.png');

      // The link opens the config at the finding's line.
      await link.first().click();
      await expectVisible(page.locator('.tabs-container .tab.active').filter({ hasText: 'harbor.yml' }), 'harbor.yml opened from the report');
    },
  },
];

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHttp(url, timeoutMs, proc) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode} before answering`);
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms`);
}

describe(`VS Code (code-server ${CS_VERSION}) + harbor-audit .vsix`, () => {
  const clock = stopwatch();
  let run;
  let codeServer;
  let context;
  let page;
  let port;
  let extensionsDir;

  /** Waits for a locator; on timeout the error says what was expected and a screenshot is kept. */
  async function expectVisible(locator, what, timeout = UI_TIMEOUT, state = 'visible') {
    try {
      await locator.first().waitFor({ state, timeout });
    } catch (error) {
      run.markFailed();
      const shot = join(run.dir, `failure-${Date.now()}.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      throw new Error(`${what}: not seen within ${timeout} ms (screenshot: ${shot})\n${error.message.split('\n')[0]}`);
    }
  }

  const editor = () => page.locator('.editor-group-container.active .monaco-editor').first();
  const problemRows = () => page.locator('.markers-panel .monaco-list-row');

  /** Opens a file at the top of the workspace from the Explorer (level 1: a folder's file of the same name is another). */
  async function openFile(name) {
    const item = page.getByRole('treeitem', { name: new RegExp(`^${name.replace(/\./g, '\\.')}`) }).and(page.locator('[aria-level="1"]'));
    await expectVisible(item, `Explorer entry ${name}`);
    await item.first().click();
    await expectVisible(page.locator('.tabs-container .tab.active').filter({ hasText: name }), `editor tab ${name}`);
    await expectVisible(editor().locator('.view-lines'), `editor content of ${name}`);
  }

  /** Opens a file by its workspace-relative path through Quick Open (files in folders the Explorer has not expanded). */
  async function quickOpen(relativePath) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await expectVisible(input, 'Quick Open');
    await input.fill(relativePath);
    const name = relativePath.split('/').pop();
    const folder = relativePath.split('/').slice(0, -1).join('/');
    // A row shows the file name and its folder; several files may share the name.
    let row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: name });
    if (folder) row = row.filter({ hasText: folder });
    await expectVisible(row, `${relativePath} in Quick Open`);
    await row.first().click();
    await expectVisible(page.locator('.tabs-container .tab.active').filter({ hasText: name }), `editor tab ${name}`);
    await expectVisible(editor().locator('.view-lines'), `editor content of ${relativePath}`);
  }

  /** Runs a command from the palette by its exact title. */
  async function runCommand(title, { waitClosed = true } = {}) {
    const palette = page.locator('.quick-input-widget input');
    // F1 can be lost while another widget takes the focus (a closing Quick Open): try again.
    for (let attempt = 0; attempt < 3 && !(await palette.first().isVisible()); attempt++) {
      // Escape closes a leftover quick input; pressed in an editor it would drop the selection the command reads.
      if (await page.locator('.quick-input-widget').first().isVisible()) await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await palette.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
    }
    await expectVisible(palette, 'command palette');
    await palette.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
    await expectVisible(row, `"${title}" in the command palette`);
    await row.first().click();
    // A command that asks for input (a file dialog) keeps a quick input open: the caller waits for that.
    if (waitClosed) await expectVisible(page.locator('.quick-input-widget'), 'command palette closed', UI_TIMEOUT, 'hidden');
  }

  /** PIDs of the language servers this code-server's extension host started (the installed bundle run as `lsp`). */
  function serverPids() {
    const pids = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let cmdline;
      try {
        cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      } catch {
        continue; // exited meanwhile
      }
      if (cmdline.some((arg) => arg.startsWith(extensionsDir) && arg.endsWith('dist/cli.js')) && cmdline.includes('lsp')) pids.push(Number(entry));
    }
    return pids;
  }

  /** Lines of the extension's own log (the "Harbor Audit" log output channel) in the first extension host. */
  function extensionLogLines() {
    const logs = join(run.dir, 'user-data', 'logs');
    const found = [];
    const visit = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name === 'Harbor Audit.log') found.push(path);
      }
    };
    if (existsSync(logs)) visit(logs);
    return found.sort().slice(0, 1).flatMap((file) => readFileSync(file, 'utf8').split('\n'));
  }

  async function showProblems() {
    if (!(await page.locator('.markers-panel').first().isVisible())) await page.keyboard.press('Control+Shift+M');
    await expectVisible(page.locator('.markers-panel'), 'Problems panel');
  }

  /** The rendered lines of the active editor in document order (Monaco recycles line nodes, so sort by position). */
  async function editorLines() {
    const lines = await editor().locator('.view-lines .view-line').evaluateAll((nodes) =>
      nodes.map((node) => ({ top: parseFloat(node.style.top) || 0, text: node.textContent ?? '' })).sort((a, b) => a.top - b.top).map((l) => l.text),
    );
    return lines.map((line) => line.replace(/\u00a0/g, ' ')); // Monaco renders spaces as U+00A0
  }

  async function goToLine(line, column) {
    await editor().locator('.view-lines').click();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await expectVisible(input, 'Go to Line input');
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await expectVisible(page.locator('.quick-input-widget'), 'Go to Line closed', UI_TIMEOUT, 'hidden');
  }

  async function screenshot(name) {
    await page.waitForTimeout(400); // let hovers/menus finish animating
    const path = screenshotPath(run, name);
    await page.screenshot({ path });
    console.log(`# screenshot ${path}`);
  }

  function guarded(fn) {
    return async (t) => {
      try {
        await fn(t);
      } catch (error) {
        run.markFailed();
        throw error;
      }
    };
  }

  before(guarded(async () => {
    run = createRun('vscode');
    // The front-proxy incident of examples/, as a user would open it: Fix all must reach the end in one run.
    cpSync(join(REPO, 'examples/front-proxy'), join(run.workspace, 'front-proxy'), { recursive: true });
    const entry = codeServerEntry();
    const vsix = vsixPath();
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: scripts/e2e-setup.sh installs Debian's chromium`);
    const userData = join(run.dir, 'user-data');
    const extensions = (extensionsDir = join(run.dir, 'extensions'));
    const config = join(run.dir, 'code-server.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(
      join(userData, 'User', 'settings.json'),
      JSON.stringify(
        {
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'workbench.enableExperiments': false,
          'workbench.welcomePage.walkthroughs.openOnInstall': false,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
          'security.workspace.trust.enabled': false,
          'telemetry.telemetryLevel': 'off',
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'update.mode': 'none',
          'git.enabled': false,
          'chat.disableAIFeatures': true,
          'editor.lightbulb.enabled': 'on',
          'editor.minimap.enabled': false,
          'files.autoSave': 'off',
          'window.commandCenter': false,
        },
        null,
        2,
      ),
    );
    const csArgs = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];

    // 1. install the packaged extension into a fresh extensions dir
    const installed = execFileSync(process.execPath, [entry, ...csArgs, '--install-extension', vsix], { env: run.env, encoding: 'utf8' });
    assert.match(installed, /successfully installed/, installed);
    const id = `${MANIFEST.publisher}.${MANIFEST.name}`;
    const listed = execFileSync(process.execPath, [entry, ...csArgs, '--list-extensions', '--show-versions'], { env: run.env, encoding: 'utf8' });
    assert.ok(listed.includes(`${id}@${MANIFEST.version}`), `extension ${id}@${MANIFEST.version} not listed:\n${listed}`);
    clock.mark(`installed ${vsix}`);
    const override = serverOverride();
    if (override) {
      const dir = readdirSync(extensions).find((name) => name.startsWith(`${id}-`));
      assert.ok(dir, `installed extension ${id} not found in ${extensions}`);
      copyFileSync(override, join(extensions, dir, 'dist/cli.js'));
    }

    // 2. code-server on loopback without auth, in its own process group (killed as a group)
    port = await freePort();
    codeServer = spawn(
      process.execPath,
      [entry, ...csArgs, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened', run.workspace],
      { env: run.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const log = createWriteStream(join(run.dir, 'code-server.log'));
    codeServer.stdout.pipe(log);
    codeServer.stderr.pipe(log);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, codeServer);
    clock.mark(`code-server listening on 127.0.0.1:${port}`);

    // 3. Debian's chromium (fresh profile, no background networking)
    context = await chromium.launchPersistentContext(join(run.dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 800 },
      env: run.env,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => console.log(`# pageerror: ${error.message}`));
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(run.workspace)}`);
    await expectVisible(page.locator('.monaco-workbench'), 'VS Code workbench', 60_000);
    clock.mark('workbench loaded');
  }), { timeout: 240_000 });

  after(async () => {
    await context?.close().catch(() => undefined);
    if (codeServer && codeServer.exitCode === null) {
      const exited = new Promise((r) => codeServer.once('exit', r));
      try {
        process.kill(-codeServer.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-codeServer.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    console.log(`# timings ${JSON.stringify(clock.marks)}`);
    run?.dispose();
  });

  test('values.yaml (goharbor Helm values): default-admin-password squiggle, hover and Problems entry', TEST_TIMEOUT, guarded(async () => {
    await openFile('values.yaml');
    await expectVisible(editor().locator('.squiggly-warning'), 'warning squiggle in values.yaml (did the server publish diagnostics?)', FIRST_DIAGNOSTIC_TIMEOUT, 'attached');
    clock.mark('first diagnostic (values.yaml squiggle)');
    await showProblems();
    // The Problems entry is the one-line message: cause first, then what the user sees.
    const row = problemRows().filter({ hasText: 'default-admin-password' }).filter({ hasText: "harborAdminPassword is Harbor's published default: anyone can log in as admin" });
    await expectVisible(row, 'Problems entry default-admin-password for values.yaml');
    // hover the squiggle: the message, and the server's hover with the finding's detail (for the README screenshot)
    await editor().locator('.squiggly-warning').first().hover({ force: true });
    await expectVisible(page.locator('.monaco-hover').filter({ hasText: 'default-admin-password' }), 'hover with the diagnostic');
    await expectVisible(page.locator('.monaco-hover').filter({ hasText: 'It only takes effect on the first start' }), 'hover with the finding detail');
    await screenshot('vscode-default-admin-password.png');
  }));

  test('harbor.yml (installer config): default-admin-password squiggle and Problems entry', TEST_TIMEOUT, guarded(async () => {
    await page.keyboard.press('Escape');
    await openFile('harbor.yml');
    await expectVisible(editor().locator('.squiggly-warning'), 'warning squiggle in harbor.yml', UI_TIMEOUT, 'attached');
    await showProblems();
    const row = problemRows().filter({ hasText: 'default-admin-password' }).filter({ hasText: "harbor_admin_password is Harbor's published default" });
    await expectVisible(row, 'Problems entry default-admin-password for harbor.yml');
    // The rule id in the entry is a link: it opens the rule's page rendered, from the package's docs.
    const link = row.first().locator('a').filter({ hasText: 'default-admin-password' });
    await expectVisible(link, 'rule link in the Problems entry');
    await link.first().click();
    await expectVisible(page.locator('.tabs-container .tab').filter({ hasText: /Preview default-admin-password/ }), 'rendered docs page of default-admin-password');
    await screenshot('vscode-rule-docs.png');
  }));

  test('values.yaml: completion of the chart keys appears as you type, and inserts the key', TEST_TIMEOUT, guarded(async () => {
    await openFile('values.yaml');
    await editor().locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Home'); // drop the indentation the editor carried over from "  enabled: true"
    await page.keyboard.press('Backspace');
    await page.keyboard.type('existingSecretAdm');
    await page.keyboard.press('Control+Space');
    const suggestion = page.locator('.suggest-widget .monaco-list-row').filter({ hasText: 'existingSecretAdminPassword' });
    await expectVisible(suggestion, 'completion item existingSecretAdminPassword');
    await screenshot('vscode-values-completion.png');
    await page.keyboard.press('Enter');
    await expectVisible(editor().locator('.view-lines').getByText('existingSecretAdminPassword:'), 'the completed key in the editor');
    const lines = await editorLines();
    assert.ok(lines.some((line) => line.startsWith('existingSecretAdminPassword: ')), `completed line not at the top level:\n${lines.join('\n')}`);
    await page.keyboard.press('Control+S'); // leave no unsaved editor behind
    await expectVisible(page.locator('.tabs-container .tab.active.dirty'), 'saved editor', UI_TIMEOUT, 'detached');
  }));

  test('nginx.conf (front proxy): proxy-body-size error, quick fix from the light bulb, diagnostic gone', TEST_TIMEOUT, guarded(async () => {
    await openFile('nginx.conf');
    await expectVisible(editor().locator('.squiggly-error'), 'error squiggle in nginx.conf', UI_TIMEOUT, 'attached');
    await showProblems();
    const row = problemRows().filter({ hasText: 'proxy-body-size' }).filter({ hasText: '413 Request Entity Too Large' });
    await expectVisible(row, 'Problems entry proxy-body-size for nginx.conf');
    assert.ok(!(await editorLines()).some((l) => l.includes('client_max_body_size')), 'fixture already has client_max_body_size');

    // cursor onto the `server` keyword (line 9, column 5): the light bulb appears; open its menu
    await goToLine(9, 5);
    const bulb = page.locator('.lightBulbWidget');
    await expectVisible(bulb, 'light bulb on the server line');
    await bulb.first().click();
    const menu = page.locator('.action-widget');
    await expectVisible(menu, 'code action menu');
    const item = menu.locator('.monaco-list-row').filter({ hasText: QUICK_FIX });
    await expectVisible(item, `quick fix "${QUICK_FIX}"`);
    await screenshot('vscode-proxy-body-size-quick-fix.png');
    // Pick it with the keyboard: the menu puts a pointer-blocking layer over itself until the mouse moves.
    const rows = await menu.locator('.monaco-list-row').count();
    let chosen = false;
    for (let i = 0; i <= rows && !chosen; i++) {
      const focused = await menu.locator('.monaco-list-row.focused').first().getAttribute('aria-label').catch(() => null);
      if (focused?.startsWith(QUICK_FIX)) chosen = true;
      else await page.keyboard.press('ArrowDown');
    }
    assert.ok(chosen, `could not focus "${QUICK_FIX}" in the code action menu`);
    await page.keyboard.press('Enter');

    await expectVisible(editor().locator('.view-lines').getByText('client_max_body_size 0;'), 'inserted client_max_body_size line');
    const lines = await editorLines();
    const at = lines.findIndex((l) => l.trim() === 'client_max_body_size 0;');
    const location = lines.findIndex((l) => l.trim() === 'location / {');
    assert.ok(at > 8 && at < location, `directive not inside the server block before location:\n${lines.join('\n')}`);
    assert.equal(lines[at], '        client_max_body_size 0;');

    await expectVisible(editor().locator('.squiggly-error'), 'error squiggle gone after the fix', UI_TIMEOUT, 'detached');
    await expectVisible(problemRows().filter({ hasText: 'proxy-body-size' }), 'Problems entry gone after the fix', UI_TIMEOUT, 'detached');
    await page.keyboard.press('Control+S');
    await expectVisible(page.locator('.tabs-container .tab.active.dirty'), 'saved editor', UI_TIMEOUT, 'detached');
    const onDisk = readFileSync(join(run.workspace, 'nginx.conf'), 'utf8');
    assert.match(onDisk, /\n {8}client_max_body_size 0;\n/, 'fix saved to disk');
    await screenshot('vscode-proxy-body-size-fixed.png');
  }));

  test('Fix All on examples/front-proxy/nginx.conf: one run leaves no safe fix, as harbor-audit --fix does', TEST_TIMEOUT, guarded(async () => {
    await quickOpen('front-proxy/nginx.conf');
    await expectVisible(editor().locator('.squiggly-error'), 'error squiggles in front-proxy/nginx.conf', UI_TIMEOUT, 'attached');
    await runCommand('Fix All');
    await expectVisible(page.locator('.tabs-container .tab.active.dirty'), 'the file edited by Fix All');
    await expectVisible(editor().locator('.squiggly-error, .squiggly-warning'), 'no squiggle left after one Fix All', UI_TIMEOUT, 'detached');
    await page.keyboard.press('Control+S');
    await expectVisible(page.locator('.tabs-container .tab.active.dirty'), 'saved editor', UI_TIMEOUT, 'detached');
    await screenshot('vscode-fix-all-front-proxy.png');

    // The CLI's fixpoint on a pristine copy gives the same text, and linting the saved file offers no safe fix.
    const cliCopy = join(run.dir, 'cli-fix', 'front-proxy');
    cpSync(join(REPO, 'examples/front-proxy'), cliCopy, { recursive: true });
    execFileSync(process.execPath, [join(REPO, 'dist/cli.js'), '--fix', join(cliCopy, 'nginx.conf')], { encoding: 'utf8' });
    const saved = readFileSync(join(run.workspace, 'front-proxy/nginx.conf'), 'utf8');
    assert.equal(saved, readFileSync(join(cliCopy, 'nginx.conf'), 'utf8'), 'Fix All in the editor and harbor-audit --fix give different texts');
    assert.notEqual(saved, readFileSync(join(REPO, 'examples/front-proxy/nginx.conf'), 'utf8'), 'Fix All changed nothing');
    let report;
    try {
      report = execFileSync(process.execPath, [join(REPO, 'dist/cli.js'), '--format', 'json', join(run.workspace, 'front-proxy/nginx.conf')], { encoding: 'utf8' });
    } catch (error) {
      report = error.stdout; // exit 1: findings left
    }
    const safeLeft = JSON.parse(report).findings.filter((f) => (f.fixes ?? []).some((fix) => fix.safety === 'safe'));
    assert.deepEqual(safeLeft.map((f) => f.ruleId), [], 'safe fixes left after one Fix All');
  }));

  test('Harbor: Audit Workspace fills the Problems panel for a file never opened', TEST_TIMEOUT, guarded(async () => {
    // .vscode/settings.json sets harborAudit.run to onType: nothing audits never-opened/harbor.yml until the command runs.
    await showProblems();
    // Filter the panel to the folder: the list is virtual, so a row of another file could hide it below the fold.
    const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    await expectVisible(filter, 'Problems filter box');
    await filter.fill('**/never-opened/**');
    await page.waitForTimeout(1000); // the filter applies after a short delay
    const row = problemRows().filter({ hasText: 'default-database-password' }).filter({ hasText: "database.password is the installer's published default" });
    assert.equal(await row.count(), 0, 'never-opened/harbor.yml is in Problems before the audit ran');
    await runCommand('Harbor: Audit Workspace');
    await showProblems();
    await expectVisible(row, 'Problems entry for never-opened/harbor.yml after Audit Workspace', FIRST_DIAGNOSTIC_TIMEOUT);
    const opened = await page.locator('.tabs-container .tab').filter({ hasText: 'harbor.yml' }).allInnerTexts();
    assert.ok(opened.every((label) => !label.includes('never-opened')), `never-opened/harbor.yml was opened: ${opened.join(', ')}`);
    await screenshot('vscode-audit-workspace.png');
    await filter.fill('');
  }));

  test('Harbor: Restart Server starts a new server process, and diagnostics come back from it', TEST_TIMEOUT, guarded(async () => {
    const before = serverPids();
    assert.equal(before.length, 1, `expected one running server, found ${before.length}`);
    // Started with the Node options that keep its memory down (server/src/lsp/nodeFlags.ts).
    const serverArgs = readFileSync(`/proc/${before[0]}/cmdline`, 'utf8').split('\0');
    for (const flag of ['--max-semi-space-size=1', '--v8-pool-size=1']) assert.ok(serverArgs.includes(flag), `${flag} missing from ${serverArgs.join(' ')}`);
    await runCommand('Harbor: Restart Server');
    const end = Date.now() + UI_TIMEOUT;
    let after = serverPids();
    while ((after.length !== 1 || after[0] === before[0]) && Date.now() < end) {
      await page.waitForTimeout(200);
      after = serverPids();
    }
    assert.equal(after.length, 1, `expected one server after the restart, found ${after.join(', ') || 'none'}`);
    assert.notEqual(after[0], before[0], 'the server process did not change');
    // The new server analyses edits: undo the saved quick fix in nginx.conf and the error comes back.
    await openFile('nginx.conf');
    assert.ok(!(await editorLines()).some((line) => line.includes('story 3')), 'opened examples/front-proxy/nginx.conf instead of the top-level nginx.conf');
    await editor().locator('.view-lines').click();
    await page.keyboard.press('Control+Z');
    await expectVisible(editor().locator('.squiggly-error'), 'error squiggle from the restarted server', FIRST_DIAGNOSTIC_TIMEOUT, 'attached');
    await showProblems();
    await expectVisible(problemRows().filter({ hasText: 'proxy-body-size' }), 'Problems entry from the restarted server');
    await page.keyboard.press('Control+S'); // leave no unsaved editor behind (later cases load other folders)
    await expectVisible(page.locator('.tabs-container .tab.active.dirty'), 'saved editor', UI_TIMEOUT, 'detached');
  }));

  test('activation cost: the extension host time VS Code reports for harbor-audit', TEST_TIMEOUT, guarded(async () => {
    await runCommand('Developer: Show Running Extensions');
    const list = page.locator('.runtime-extensions-editor .monaco-list').first();
    await expectVisible(list, 'Running Extensions list');
    // The list is virtual and sorted by activation time: scroll until our row is rendered.
    const row = page.locator('.runtime-extensions-editor .monaco-list-row').filter({ hasText: MANIFEST.displayName });
    for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
      await list.hover();
      await page.mouse.wheel(0, 300);
      await page.waitForTimeout(200);
    }
    await expectVisible(row, 'harbor-audit in Running Extensions');
    const text = (await row.first().innerText()).replace(/\s+/g, ' ');
    const activation = /(\d+)\s*ms/.exec(text);
    assert.ok(activation, `no activation time in "${text}"`);
    // Reported, not asserted: speed is judged in benchmarks; the budget is 50 ms. VS Code's
    // figure is code loading plus the synchronous activate call, as wall time in an extension host
    // that activates other extensions at the same moment; the extension logs its own call's time.
    const own = extensionLogLines().map((line) => /activated in (\d+) ms/.exec(line)?.[1]).find(Boolean);
    console.log(`# activation: ${activation[1]} ms extension-host time as VS Code reports it (${text.trim()}); activate() itself: ${own ?? '?'} ms`);
    await screenshot('vscode-running-extensions.png');
  }));

  for (const pending of PENDING_COMMANDS) {
    const contributed = (MANIFEST.contributes?.commands ?? []).some((c) => c.command === pending.command);
    const skip = contributed ? false : `"${pending.title}" (${pending.command}) is not implemented yet; add its steps to PENDING_COMMANDS in test/e2e/vscode.test.mjs when it is`;
    test(`command: ${pending.title}`, { ...TEST_TIMEOUT, skip }, guarded(async () => {
      assert.ok(pending.run, `${pending.command} is contributed now: write its e2e case (PENDING_COMMANDS.run in test/e2e/vscode.test.mjs)`);
      await pending.run({ page, run, openFile, quickOpen, runCommand, expectVisible, screenshot, showProblems, problemRows, editor });
    }));
  }
  // Three workspaces that each hold one Harbor file at a path users keep it under, and nothing else:
  // the extension must start (no harbor.yml to activate on) and check the file by its content.
  const SINGLE_FILE_WORKSPACES = [
    { name: 'values', file: 'deploy/registry/prod.yaml', squiggle: '.squiggly-warning', rule: 'default-admin-password', message: "harborAdminPassword is Harbor's published default" },
    { name: 'proxy', file: 'deploy/proxy/harbor.conf', squiggle: '.squiggly-error', rule: 'proxy-body-size', message: 'No client_max_body_size for layer uploads' },
    { name: 'debian', file: 'etc/nginx/sites-available/harbor', squiggle: '.squiggly-error', rule: 'proxy-forwarded-proto', message: 'location /v2/ hides X-Forwarded-Proto' },
    { name: 'chart-1.14', file: 'deploy/harbor/values.yaml', squiggle: '.squiggly-warning', rule: 'unknown-key', message: 'reads a top-level `containerSecurityContext`' },
  ];
  for (const workspace of SINGLE_FILE_WORKSPACES) {
    test(`single-file workspace: ${workspace.file} alone is audited on open and gets its squiggles`, TEST_TIMEOUT, guarded(async () => {
      const folder = run.singleFileWorkspace(workspace.name);
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
      await expectVisible(page.locator('.monaco-workbench'), 'VS Code workbench', 60_000);
      // The automatic workspace audit (default harborAudit.run) reports the file before it is opened.
      await showProblems();
      const row = problemRows().filter({ hasText: workspace.rule }).filter({ hasText: workspace.message });
      await expectVisible(row, `Problems entry ${workspace.rule} for the unopened ${workspace.file}`, FIRST_DIAGNOSTIC_TIMEOUT);
      await quickOpen(workspace.file);
      await expectVisible(editor().locator(workspace.squiggle), `squiggle in ${workspace.file}`, UI_TIMEOUT, 'attached');
      await screenshot(`vscode-single-file-${workspace.name}.png`);
    }));
  }
});
