/**
 * Which names a fix should use for the robot account's name and secret: the
 * ones the file already has where they can be told apart, else clear defaults.
 * Only names are read here, never values.
 */
import type { ScriptModel } from './model';

export interface CredentialNames {
  name: string;
  secret: string;
  /** The names were found in the file (not defaults). */
  found: boolean;
}

const NAME_LIKE = /(robot|harbor|registry)\w*_?(name|user|username|account)$|^(\w+_)?(user|username)$/i;
const SECRET_LIKE = /(robot|harbor|registry)\w*_?(secret|password|pass|pwd)$|^(\w+_)?(secret|password)$/i;

function pick(names: Iterable<string>, pattern: RegExp): string | undefined {
  const matching = [...new Set(names)].filter((n) => pattern.test(n));
  if (matching.length === 1) return matching[0];
  const robot = matching.filter((n) => /robot/i.test(n));
  return robot.length === 1 ? robot[0] : undefined;
}

// Every finding of a file asks for the same names: work them out once per model.
const shellNamesByModel = new WeakMap<ScriptModel, CredentialNames>();

/** Shell variable names for the robot account, from a `docker login -u … -p …` in the file or its variables. */
export function shellCredentialNames(model: ScriptModel): CredentialNames {
  let names = shellNamesByModel.get(model);
  if (!names) shellNamesByModel.set(model, (names = findShellCredentialNames(model)));
  return names;
}

function findShellCredentialNames(model: ScriptModel): CredentialNames {
  for (const login of model.logins) {
    const user = login.shell.command.words.find((w, i, all) => /^(-u|--username)$/.test(all[i - 1]?.value ?? '') && /^\$\{?\w+\}?$/.test(w.value));
    const password = login.password?.value;
    const userName = user?.parts.find((p) => p.kind === 'param')?.name;
    const secretName = password?.parts.find((p) => p.kind === 'param')?.name;
    if (userName && secretName && password!.parts.length <= 1) return { name: userName, secret: secretName, found: true };
  }
  const names = new Set(model.variables.names());
  for (const m of model.text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]);
  const name = pick(names, NAME_LIKE);
  const secret = pick(names, SECRET_LIKE);
  if (name && secret) return { name, secret, found: true };
  return { name: 'ROBOT_NAME', secret: 'ROBOT_SECRET', found: false };
}

/** Ansible variables for the robot account, by the names used in `{{ … }}` in the file. */
export function ansibleCredentialNames(text: string): CredentialNames {
  const names = [...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const name = pick(names, NAME_LIKE);
  const secret = pick(names, SECRET_LIKE);
  if (name && secret) return { name, secret, found: true };
  return { name: 'harbor_robot_name', secret: 'harbor_robot_secret', found: false };
}

/** Python expressions for the robot account: variables assigned in the file, else `os.environ[…]` when `os` is imported. */
export function pythonCredentialNames(text: string): CredentialNames | undefined {
  const names = [...text.matchAll(/^[ \t]*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/gm)].map((m) => m[1]);
  const name = pick(names, NAME_LIKE);
  const secret = pick(names, SECRET_LIKE);
  if (name && secret) return { name, secret, found: true };
  if (/^\s*import\s+os\b|^\s*import\s+[\w, ]*\bos\b/m.test(text)) return { name: 'os.environ["HARBOR_ROBOT_NAME"]', secret: 'os.environ["HARBOR_ROBOT_SECRET"]', found: false };
  return undefined;
}
