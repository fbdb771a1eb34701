/**
 * harbor-audit keys: key identity for scripts.
 *   harbor-audit keys compare KEY CERT [--json]   exit 0 match, 1 mismatch, 2 unreadable or usage
 *   harbor-audit keys id FILE... [--json]
 *   harbor-audit keys find KEY-ID-OR-LOG-LINE PATH... [--json]
 * Output never contains key material.
 */
import { relative, resolve } from 'node:path';
import { createNodeFileAccess } from '../node/nodeFileAccess';
import { compareKeyAndCertificateFiles, findKeyById, identifyFile, type IdentifiedObject } from '../node/keyTools';

export interface KeysIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
}

export const KEYS_USAGE = `  harbor-audit keys compare KEY CERT [--json]          does the key belong to the certificate? (exit 0 yes, 1 no, 2 unreadable)
  harbor-audit keys id FILE... [--json]                libtrust key ID and RFC 7638 thumbprint of each key and certificate
  harbor-audit keys find KEY-ID-OR-LOG-LINE PATH... [--json]
                                                       the key and certificate files with that key ID`;

const usage = (io: KeysIo, message: string): number => {
  io.stderr(`harbor-audit: ${message}\n\nUsage:\n${KEYS_USAGE}\n`);
  return 2;
};

export async function runKeysCommand(argv: string[], io: KeysIo): Promise<number> {
  const json = argv.includes('--json');
  const unknown = argv.find((arg) => arg.startsWith('--') && arg !== '--json');
  if (unknown) return usage(io, `unknown option ${unknown}`);
  const [subcommand, ...args] = argv.filter((arg) => arg !== '--json');
  const files = createNodeFileAccess();
  const abs = (path: string) => resolve(io.cwd, path);
  const shown = (path: string) => {
    const rel = relative(io.cwd, path);
    return rel && !rel.startsWith('..') ? rel : path;
  };

  if (subcommand === 'compare') {
    if (args.length !== 2) return usage(io, 'keys compare takes KEY and CERT');
    const outcome = await compareKeyAndCertificateFiles(files, abs(args[0]), abs(args[1]));
    if (!outcome.ok) {
      io.stderr(`harbor-audit: ${shown(outcome.file)}: ${outcome.message}\n`);
      return 2;
    }
    const { result, problems } = outcome;
    if (json) io.stdout(JSON.stringify(result, null, 2) + '\n');
    else {
      const lines = [`${result.match === true ? 'MATCH' : result.match === false ? 'MISMATCH' : 'UNKNOWN'}: ${result.reason}`];
      if (result.key) lines.push(`key:         ${result.key.type}${result.key.bits ? ` ${result.key.bits}` : ''}, key ID ${result.key.keyId}, thumbprint ${result.key.thumbprint}`);
      if (result.certificate) {
        const c = result.certificate;
        lines.push(`certificate: ${c.subject || '(empty subject)'}, key ID ${c.keyId}, thumbprint ${c.thumbprint}`);
        lines.push(`             SANs: ${c.sans.length > 0 ? c.sans.join(', ') : '(none)'}; valid ${c.notBefore} to ${c.notAfter}`);
      }
      for (const problem of problems) lines.push(`note: ${problem}`);
      io.stdout(lines.join('\n') + '\n');
    }
    if (result.match === null) {
      io.stderr(`harbor-audit: no verdict: ${result.reason}\n`);
      return 2;
    }
    return result.match ? 0 : 1;
  }

  if (subcommand === 'id') {
    if (args.length === 0) return usage(io, 'keys id takes at least one FILE');
    const all: IdentifiedObject[] = [];
    let failed = false;
    for (const arg of args) {
      const identified = await identifyFile(files, abs(arg));
      if (!identified.ok) {
        io.stderr(`harbor-audit: ${arg}: ${identified.message}\n`);
        failed = true;
        continue;
      }
      for (const problem of identified.problems) io.stderr(`harbor-audit: ${arg}: ${problem}\n`);
      if (identified.objects.length === 0) failed = true;
      all.push(...identified.objects.map((o) => ({ ...o, file: arg })));
    }
    if (json) io.stdout(JSON.stringify(all.map(({ file, type, keyId, thumbprint }) => ({ file, type, keyId, thumbprint })), null, 2) + '\n');
    else for (const o of all) io.stdout(`${o.file}: ${o.type}\n  key ID     ${o.keyId}\n  thumbprint ${o.thumbprint}\n`);
    return failed ? 2 : 0;
  }

  if (subcommand === 'find') {
    if (args.length < 2) return usage(io, 'keys find takes a KEY-ID (or a log line holding one) and at least one PATH');
    const [query, ...paths] = args;
    const result = await findKeyById(files, query, paths.map(abs));
    if (result.ids.length === 0) {
      io.stderr('harbor-audit: no key ID found in the first argument (expected ABCD:EFGH:... or a 43-character RFC 7638 thumbprint)\n');
      return 2;
    }
    const matches = result.matches.map((m) => ({ file: shown(m.file), keyId: m.keyId }));
    if (json) io.stdout(JSON.stringify(matches, null, 2) + '\n');
    else if (matches.length === 0) io.stdout(`No key or certificate with key ID ${result.ids.join(' or ')} among ${result.searched} file${result.searched === 1 ? '' : 's'}.\n`);
    else for (const m of result.matches) io.stdout(`${shown(m.file)}: ${m.type}, key ID ${m.keyId}\n`);
    // Like grep: 1 when nothing was found.
    return matches.length > 0 ? 0 : 1;
  }

  return usage(io, subcommand ? `unknown keys subcommand "${subcommand}"` : 'keys needs a subcommand: compare, id or find');
}

