/** The bundle VS Code runs as the language server (dist/server.js). */
import { startFromArgv } from './main';

startFromArgv();
