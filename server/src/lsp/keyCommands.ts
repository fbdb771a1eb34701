/**
 * The editor commands "Compare Key and Certificate" and "Find Key by Key ID"
 * over `workspace/executeCommand`. Arguments are file paths or `file:` URIs
 * (and a key ID or a pasted log line); results are structured and hold key
 * IDs, types and certificate facts, never key material.
 */
import { fileURLToPath } from 'node:url';
import { ResponseError } from 'vscode-languageserver';
import type { FileAccess } from '../core/types';
import { compareKeyAndCertificateFiles, findKeyById } from '../node/keyTools';

export const COMPARE_KEY_AND_CERTIFICATE = 'harborAudit.compareKeyAndCertificate';
export const FIND_KEY_BY_ID = 'harborAudit.findKeyById';
export const KEY_COMMANDS = [COMPARE_KEY_AND_CERTIFICATE, FIND_KEY_BY_ID];

function toPath(value: unknown): string {
  const text = String(value ?? '');
  if (text === '') throw new ResponseError(-32602, 'a file path or file: URI is required');
  if (text.startsWith('file:')) return fileURLToPath(text);
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) throw new ResponseError(-32602, `only files on disk can be read, not ${text}`);
  return text;
}

/** The result of a key command, or undefined when `command` is not one. */
export async function executeKeyCommand(command: string, args: unknown[], env: { files: FileAccess; roots: readonly string[] }): Promise<unknown> {
  if (command === COMPARE_KEY_AND_CERTIFICATE) {
    const keyFile = toPath(args[0]);
    const certificateFile = toPath(args[1]);
    const outcome = await compareKeyAndCertificateFiles(env.files, keyFile, certificateFile);
    if (!outcome.ok) return { keyFile, certificateFile, match: null, reason: `${outcome.file} could not be read: ${outcome.message}`, key: null, certificate: null, problems: [] };
    return { keyFile, certificateFile, ...outcome.result, problems: outcome.problems };
  }
  if (command === FIND_KEY_BY_ID) {
    const query = String(args[0] ?? '');
    const roots = args.length > 1 ? args.slice(1).map(toPath) : [...env.roots];
    return await findKeyById(env.files, query, roots);
  }
  return undefined;
}
