// Bundles the extension client and the CLI into dist/. The CLI is the language server too
// (`harbor-audit lsp`), so the package carries the analysis core once (dist/harbor-audit.js).
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  logLevel: 'warning',
};

await Promise.all([
  // The extension's entry stays small: it loads dist/languageClient.js (vscode-languageclient) after activation.
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode', './languageClient.js'] }),
  esbuild.build({ ...common, entryPoints: ['client/src/languageClient.ts'], outfile: 'dist/languageClient.js', external: ['vscode'] }),
  // The command's entry answers --version alone and requires dist/harbor-audit.js (the CLI, the
  // language server and the lint workers, with the whole core) for everything else.
  esbuild.build({ ...common, entryPoints: ['server/src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: ['./harbor-audit.js'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/cli/main.ts'], outfile: 'dist/harbor-audit.js' }),
]);
