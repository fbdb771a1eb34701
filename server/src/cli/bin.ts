/**
 * The `harbor-audit` command (dist/cli.js): answers `--version` without loading
 * the analysis core, and hands everything else to the CLI bundle
 * (dist/harbor-audit.js, also the language server and the lint workers). Kept
 * tiny on purpose: its start-up is the fixed cost of every run.
 */
import { restartWithServerFlags } from '../lsp/nodeFlags';
import { VERSION } from './version';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  // A stdio language server takes its node options before the bundle is loaded (VS Code gives them to the IPC one).
  if (argv[0] === 'lsp' && argv.includes('--stdio')) restartWithServerFlags(process);
  // A separate file of the package, not bundled into this one (see esbuild.mjs).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./harbor-audit.js') as typeof import('./main')).main(argv);
}
