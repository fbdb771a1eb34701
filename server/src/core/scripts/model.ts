/**
 * A script as Harbor sees it: the HTTP requests it sends (URL, method, how it
 * authenticates) and the registry logins it performs, whatever the file kind.
 * Shell code (scripts, recipes, CI steps, Jenkins `sh`) goes through the shell
 * lexer; Ansible's `uri` module, Python and PowerShell have readers of their own.
 */
import { isMap, isPair, isScalar } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { commandWords, lexShell, lexShellStretches, wordSources, type LexedShell, type SimpleCommand, type Word } from '../shell/lexer';
import { skimLogicalLines } from '../shell/skim';
import { assignmentsOf, Variables } from '../shell/variables';
import { wholeTextScan } from '../text';
import type { Span } from '../types';
import { parseYaml, type ParsedYaml } from '../yaml/yamlModel';
import { classifyUrl, type HarborEndpoint } from './harborApi';
import { readPowerShellRequests } from './powershell';
import { readPythonRequests, type PythonCall } from './python';
import { jenkinsShellSources, makefileRecipes, pairsOf, spanToFile, wholeScript, yamlEnvironment, yamlShellSources, type ShellSource } from './sources';

export type ClientFlavour = 'shell' | 'makefile' | 'github-actions' | 'gitlab-ci' | 'jenkinsfile' | 'ansible' | 'compose' | 'ci-yaml' | 'dotenv' | 'python' | 'powershell';

export interface BearerAuth {
  /** Where the Bearer credentials are written (the header argument, the `headers` entry). */
  span: Span;
  /** A variable that carries the Bearer value, when it does. */
  via?: string;
  /** The token comes from Harbor's `/service/token` in this file. */
  fromTokenService: boolean;
  /** Named like an OIDC ID token (`ID_TOKEN`, `oidc_token`): accepted on the API in OIDC mode. */
  looksLikeIdToken: boolean;
}

export interface ShellPlace {
  source: ShellSource;
  command: SimpleCommand;
}

export interface HttpRequest {
  tool: 'curl' | 'wget' | 'ansible-uri' | 'python' | 'powershell';
  method?: string;
  endpoint: HarborEndpoint;
  url: {
    /** As written, quotes removed, variables not expanded. */
    written: string;
    span: Span;
    /** File offset of each character of `written`, where it is written literally in the file; -1 elsewhere. */
    offsets: number[];
  };
  bearer?: BearerAuth;
  /** Shell requests: the words that carry the Bearer value (option and argument), to replace. */
  bearerWords?: Word[];
  shell?: ShellPlace;
  /** Ansible `uri` tasks: the module's arguments. */
  ansible?: { module: YAMLMap; headers?: YAMLMap; authorization?: Node };
  python?: PythonCall;
}

export interface RegistryLogin {
  tool: string;
  user?: { value: string; robot: boolean };
  /** `-p`/`--password`: the option word and its value word (the same word for `--password=…`). */
  password?: { option: Word; value: Word };
  passwordStdin: boolean;
  shell: ShellPlace;
}

export interface ShellCode {
  source: ShellSource;
  lexed: LexedShell;
  /**
   * Set when `lexed` holds only the commands that can matter (calls to curl, wget or a login,
   * assignments, and words that spell this robot-name stem), not every command, here-document
   * and comment: another stem needs the whole lex (`lexShell`).
   */
  partialFor?: string;
}

export interface ScriptModel {
  flavour: ClientFlavour;
  text: string;
  shell: ShellCode[];
  variables: Variables;
  requests: HttpRequest[];
  logins: RegistryLogin[];
  yaml?: ParsedYaml;
  /** The word "harbor" appears in the file: 1.x API paths are only read as Harbor's then. */
  mentionsHarbor: boolean;
}

/**
 * The cheap test every file pays: without one of these, a file cannot call Harbor. "robot" in any case,
 * spelled out: V8 scans a case-insensitive pattern about 4x slower than these character classes.
 */
const HARBOR_HINT = wholeTextScan(/\/api\/|\/service\/token|[Rr][Oo][Bb][Oo][Tt]/);

/** `robotNamePrefix`: Harbor's `robot_name_prefix` when it is not the default `robot$`. */
export function mightCallHarbor(text: string, robotNamePrefix = DEFAULT_ROBOT_PREFIX): boolean {
  return HARBOR_HINT.test(text) || mentionsPrefix(text, robotNamePrefix);
}

export const DEFAULT_ROBOT_PREFIX = 'robot$';

/** A custom prefix counts only when it has the `$` that makes robot names fragile (and the default is matched by HARBOR_HINT). */
function mentionsPrefix(text: string, prefix: string): boolean {
  return prefix !== DEFAULT_ROBOT_PREFIX && prefix.includes('$') && text.toLowerCase().includes(prefix.toLowerCase());
}

export function flavourOf(name: string, text: string, yaml?: ParsedYaml): ClientFlavour | undefined {
  const base = name.split(/[\\/]/).pop()!.toLowerCase();
  const shebang = /^#![^\n]*/.exec(text)?.[0] ?? '';
  if (/\.py$/.test(base) || /python/.test(shebang)) return 'python';
  if (/\.ps[md]?1$/.test(base) || /pwsh/.test(shebang)) return 'powershell';
  if (base === 'jenkinsfile' || /\.(groovy|jenkinsfile)$/.test(base) || /^jenkinsfile\./.test(base)) return 'jenkinsfile';
  if (base === 'makefile' || base === 'gnumakefile' || /\.mk$/.test(base)) return 'makefile';
  if (base === '.env' || /\.env$/.test(base) || /^\.env\./.test(base)) return 'dotenv';
  if (/\.(sh|bash|zsh|ksh)$/.test(base) || /^#!.*\b(ba|z|k|da)?sh\b/.test(shebang)) return 'shell';
  if (yaml) {
    // Indentation is [ \t], not \s: \s also matches line breaks, and `^\s*-?\s*` tried every split of a
    // long run of blank lines from every line start (fuzz: 5 s of CPU on 3.6 KB).
    if (/^\.gitlab-ci\.ya?ml$/.test(base) || /\bscript:/.test(text) && /^(stages|variables|default|include):/m.test(text)) return 'gitlab-ci';
    if (/^[ \t]*runs-on:/m.test(text) && /^jobs:/m.test(text)) return 'github-actions';
    if (/^services:/m.test(text) && /^[ \t]+(image|build):/m.test(text)) return 'compose';
    if (/^[ \t]*(?:-[ \t]*)?(hosts|tasks|(ansible\.builtin\.)?(uri|shell|command)):/m.test(text)) return 'ansible';
    return 'ci-yaml';
  }
  if (!base.includes('.')) return 'shell';
  return undefined;
}

export interface ScriptModelOptions {
  /** Harbor's robot name prefix: shell words that spell its stem are lexed. */
  robotNamePrefix?: string;
  /** `full`: lex every line (the reference the fast path is tested against). */
  lexing?: 'fast' | 'full';
}

/** How shell code is lexed when a caller does not say: tests switch to `full`, the reference, to compare. */
export const scriptLexing: { mode: 'fast' | 'full' } = { mode: 'fast' };

export function buildScriptModel(text: string, name: string, knownYaml?: ParsedYaml, options: ScriptModelOptions = {}): ScriptModel | undefined {
  const yamlName = /\.ya?ml$/i.test(name);
  const yaml = knownYaml ?? (yamlName ? parseYaml(text) : undefined);
  const flavour = flavourOf(name, text, yaml);
  if (!flavour) return undefined;
  const model: ScriptModel = { flavour, text, shell: [], variables: new Variables(), requests: [], logins: [], yaml, mentionsHarbor: /harbor/i.test(text) };
  const sources: ShellSource[] = [];
  switch (flavour) {
    case 'shell':
      sources.push(wholeScript(text));
      break;
    case 'makefile': {
      const recipes = makefileRecipes(text);
      if (recipes) sources.push(recipes);
      break;
    }
    case 'jenkinsfile':
      sources.push(...jenkinsShellSources(text));
      break;
    case 'python':
      model.requests.push(...readPythonRequests(text));
      return model;
    case 'powershell':
      model.requests.push(...readPowerShellRequests(text));
      return model;
    case 'dotenv':
      return model;
    default:
      if (yaml) {
        for (const entry of yamlEnvironment(yaml)) model.variables.add({ name: entry.name, value: text.slice(entry.span.start, entry.span.end).replace(/^["']|["']$/g, ''), at: 0 });
        sources.push(...yamlShellSources(yaml, text));
        model.requests.push(...readAnsibleUri(yaml, text));
      }
  }
  const stem = robotStem(options.robotNamePrefix ?? DEFAULT_ROBOT_PREFIX);
  for (const source of sources) {
    const code = (options.lexing ?? scriptLexing.mode) === 'full' ? { source, lexed: lexShell(source.text, source.dialect) } : lexCandidates(source, stem);
    model.shell.push(code);
    for (const command of code.lexed.commands) {
      for (const assignment of assignmentsOf(command)) {
        model.variables.add({ name: assignment.name, value: assignment.word.value.slice(assignment.valueStart), at: source.toFile(assignment.word.span.start) });
      }
    }
  }
  for (const { source, lexed } of model.shell) {
    for (const command of lexed.commands) readShellCommand(model, { source, command });
  }
  return model;
}

/** The prefix before its `$` (`robot` for `robot$`); empty when the prefix has no `$` to lose. */
export function robotStem(prefix: string): string {
  return prefix.endsWith('$') && prefix.length > 1 ? prefix.slice(0, -1).toLowerCase() : '';
}

// ---- the fast path: lex only the lines that can matter ----------------------

/**
 * Characters the lexer can drop from between the letters of a word (escapes, quotes, `$'`, line
 * continuations): `c\u"r"l` is `curl` to the shell, so triggers allow them between letters.
 */
const NOISE = `[\\\\'"$\n]*`;
const spelled = (word: string) => [...word].map((char) => char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(NOISE);
const triggersByStem = new Map<string, RegExp>();

/**
 * What a command must contain to matter to the model: a tool whose requests or logins are read
 * (curl, wget, any `login`), an assignment (`=`), or the robot-name stem before a `$name`.
 */
function triggers(stem: string): RegExp {
  let pattern = triggersByStem.get(stem);
  if (!pattern) {
    const words = ['curl', 'wget', 'login', ...(stem ? [stem] : [])].map(spelled);
    pattern = new RegExp(`${words.join('|')}|=`, 'gi');
    if (triggersByStem.size > 16) triggersByStem.clear();
    triggersByStem.set(stem, pattern);
  }
  return pattern;
}

/**
 * The commands of `sh` code that can matter, each lexed by the full lexer from a line where the
 * whole lex has nothing pending (skim.ts); falls back to the whole lex where the skim is unsure.
 */
function lexCandidates(source: ShellSource, stem: string): ShellCode {
  const { text } = source;
  if (source.dialect !== 'sh') return { source, lexed: lexShell(text, source.dialect) };
  const lines = skimLogicalLines(text);
  if (!lines) return { source, lexed: lexShell(text, source.dialect) };
  const stretches: [number, number][] = [];
  const pattern = triggers(stem);
  pattern.lastIndex = 0;
  let line = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const end = match.index + match[0].length;
    // The logical line holding the match's start, then on to the one holding its end.
    while (lines[line + 1] <= match.index) line++;
    let last = line;
    while (lines[last + 1] < end) last++;
    const previous = stretches[stretches.length - 1];
    if (previous && previous[1] >= lines[line]) previous[1] = Math.max(previous[1], lines[last + 1]);
    else stretches.push([lines[line], lines[last + 1]]);
    pattern.lastIndex = Math.max(end, lines[last + 1]);
    line = last;
  }
  const commands = lexShellStretches(text, 'sh', stretches);
  if (!commands) return { source, lexed: lexShell(text, source.dialect) };
  return { source, lexed: { commands, heredocs: [], comments: [] }, partialFor: stem };
}

/** Whether the model calls Harbor or logs in with a robot account: the test for a "Harbor API client". */
export function callsHarbor(model: ScriptModel, robotNamePrefix = DEFAULT_ROBOT_PREFIX): boolean {
  if ((model.flavour === 'compose' || model.flavour === 'dotenv') && (/robot\$/i.test(model.text) || mentionsPrefix(model.text, robotNamePrefix))) return true;
  if (model.requests.length > 0 || model.logins.some((login) => login.user?.robot)) return true;
  return robotNamePrefix !== DEFAULT_ROBOT_PREFIX && model.logins.some((login) => !!login.user && mentionsPrefix(login.user.value, robotNamePrefix));
}

// ---- shell commands -------------------------------------------------------

const CURL_VALUE_SHORT = new Set('HuXdoFAbcewTKmxErYyzUCDPQt'.split(''));
const CURL_VALUE_LONG = new Set([
  'header', 'user', 'request', 'data', 'data-raw', 'data-binary', 'data-urlencode', 'data-ascii', 'json', 'output', 'form', 'form-string', 'user-agent', 'cookie',
  'cookie-jar', 'referer', 'write-out', 'upload-file', 'config', 'max-time', 'proxy', 'cert', 'key', 'cacert', 'capath', 'connect-timeout', 'retry', 'retry-delay',
  'retry-max-time', 'resolve', 'oauth2-bearer', 'url', 'limit-rate', 'interface', 'proxy-user', 'range', 'max-filesize', 'cert-type', 'key-type', 'ciphers',
  'netrc-file', 'variable', 'connect-to', 'dump-header', 'pass', 'aws-sigv4', 'output-dir', 'trace', 'trace-ascii', 'stderr', 'pinnedpubkey', 'noproxy', 'proto',
]);

interface ParsedOption {
  name: string;
  /** The words that make up the option and its value. */
  words: Word[];
  value?: { text: string; word: Word };
}

/** curl-style options: `-H v`, `-Hv`, `--header v`, `--header=v`, combined short flags. */
function parseOptions(args: Word[], short: Set<string>, long: Set<string>): { options: ParsedOption[]; operands: Word[] } {
  const options: ParsedOption[] = [];
  const operands: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    const value = word.value;
    if (value.startsWith('--') && value.length > 2) {
      const eq = value.indexOf('=');
      const name = value.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) options.push({ name, words: [word], value: { text: value.slice(eq + 1), word } });
      else if (long.has(name) && i + 1 < args.length) options.push({ name, words: [word, args[i + 1]], value: { text: args[i + 1].value, word: args[++i] } });
      else options.push({ name, words: [word] });
    } else if (value.startsWith('-') && value.length > 1 && word.parts[0]?.kind === 'literal') {
      for (let c = 1; c < value.length; c++) {
        const flag = value[c];
        if (!short.has(flag)) continue;
        if (c + 1 < value.length) options.push({ name: flag, words: [word], value: { text: value.slice(c + 1), word } });
        else if (i + 1 < args.length) options.push({ name: flag, words: [word, args[i + 1]], value: { text: args[i + 1].value, word: args[++i] } });
        break;
      }
    } else operands.push(word);
  }
  return { options, operands };
}

function readShellCommand(model: ScriptModel, place: ShellPlace): void {
  const words = commandWords(place.command);
  const tool = words[0]?.value.replace(/^.*\//, '');
  if (tool === 'curl') readCurl(model, place, words.slice(1));
  else if (tool === 'wget') readWget(model, place, words.slice(1));
  else readLogin(model, place, words);
}

/**
 * A span kept inside the file: shell code taken from a YAML block scalar ends
 * with the line break YAML adds when the file does not (fuzz: a `run: |`
 * ending in an unterminated quote gave a URL span one past the end).
 */
function inFile(model: ScriptModel, span: Span): Span {
  const end = Math.min(span.end, model.text.length);
  return { start: Math.min(span.start, end), end };
}

function wordOffsets(source: ShellSource, word: Word): number[] {
  return wordSources(word).map((at) => source.toFile(at));
}

function urlOf(model: ScriptModel, place: ShellPlace, word: Word): Pick<HttpRequest, 'endpoint' | 'url'> | undefined {
  const at = place.source.toFile(word.span.start);
  const expanded = model.variables.expand(word, at);
  const endpoint = classifyUrl(expanded);
  if (!endpoint || (endpoint.kind === 'api-v1' && !model.mentionsHarbor)) return undefined;
  const offsets = literalOffsets(place.source, word).map((offset) => (offset < model.text.length ? offset : -1));
  return { endpoint, url: { written: word.value, span: inFile(model, spanToFile(place.source, word.span)), offsets } };
}

/** File offsets of the literally written characters of a word; -1 for characters that come from an expansion. */
function literalOffsets(source: ShellSource, word: Word): number[] {
  const offsets = wordOffsets(source, word);
  let index = 0;
  for (const part of word.parts) {
    const literal = part.kind === 'literal' || part.kind === 'single' || part.kind === 'double' || part.kind === 'ansi';
    for (let i = 0; i < part.text.length && index < offsets.length; i++, index++) if (!literal) offsets[index] = -1;
  }
  return offsets;
}

function bearerOf(model: ScriptModel, place: ShellPlace, value: string, word: Word, isHeader: boolean): BearerAuth | undefined {
  const at = place.source.toFile(word.span.start);
  const expanded = model.variables.expand(word, at);
  const bearer = isHeader ? /^\s*authorization\s*:\s*bearer\b/i.test(expanded) : true;
  if (!bearer) return undefined;
  const params = word.parts.filter((part) => part.kind === 'param' && part.name).map((part) => part.name!);
  const via = params.find((name) => /bearer/i.test(model.variables.valueAt(name, at) ?? '')) ?? (isHeader && !/bearer/i.test(value) ? params[0] : undefined);
  const tokenText = [expanded, ...params.map((name) => model.variables.valueAt(name, at) ?? '')].join(' ');
  return {
    span: inFile(model, spanToFile(place.source, word.span)),
    via,
    fromTokenService: /\/service\/token/.test(tokenText) || params.some((name) => /\/service\/token/.test(model.variables.expand(word, at))),
    looksLikeIdToken: /id_?token|oidc/i.test(tokenText),
  };
}

function readCurl(model: ScriptModel, place: ShellPlace, args: Word[]): void {
  const { options, operands } = parseOptions(args, CURL_VALUE_SHORT, CURL_VALUE_LONG);
  const urlWords = [...options.filter((o) => o.name === 'url').map((o) => o.value!.word), ...operands];
  const method = options.find((o) => o.name === 'X' || o.name === 'request')?.value?.text;
  const hasBody = options.some((o) => /^(d|F|json|data.*|form.*|T|upload-file)$/.test(o.name));
  const { bearer, bearerWords } = lastBearer(model, place, options, (name) => (name === 'H' || name === 'header' ? 'header' : name === 'oauth2-bearer' ? 'token' : undefined));
  for (const word of urlWords) {
    const url = urlOf(model, place, word);
    if (!url) continue;
    model.requests.push({ tool: 'curl', method: method ?? (hasBody ? 'POST' : 'GET'), ...url, bearer, bearerWords, shell: place });
  }
}

/** The last option that carries a Bearer token (a header, or a tool's own token option), as the tool applies it. */
function lastBearer(
  model: ScriptModel,
  place: ShellPlace,
  options: { name: string; value?: { text: string; word: Word }; words: Word[] }[],
  kindOf: (name: string) => 'header' | 'token' | undefined,
): { bearer?: BearerAuth; bearerWords?: Word[] } {
  let result: { bearer?: BearerAuth; bearerWords?: Word[] } = {};
  for (const option of options) {
    const kind = kindOf(option.name);
    if (!kind || !option.value) continue;
    const found = bearerOf(model, place, option.value.text, option.value.word, kind === 'header');
    if (found) result = { bearer: found, bearerWords: option.words };
  }
  return result;
}

function readWget(model: ScriptModel, place: ShellPlace, args: Word[]): void {
  const { options, operands } = parseOptions(args, new Set(['O', 'o', 'a', 'e', 'U', 'T', 't', 'P']), new Set(['header', 'method', 'output-document', 'user', 'password', 'body-data', 'post-data', 'user-agent']));
  const method = options.find((o) => o.name === 'method')?.value?.text;
  const { bearer, bearerWords } = lastBearer(model, place, options, (name) => (name === 'header' ? 'header' : undefined));
  for (const word of operands) {
    const url = urlOf(model, place, word);
    if (url) model.requests.push({ tool: 'wget', method: method ?? 'GET', ...url, bearer, bearerWords, shell: place });
  }
}

/** `docker login`, `podman login`, `helm registry login`, … with `-u`/`-p`/`--password-stdin`. */
function readLogin(model: ScriptModel, place: ShellPlace, words: Word[]): void {
  const tool = words[0]?.value.replace(/^.*\//, '');
  let rest: Word[];
  if (/^(docker|podman|nerdctl|buildah|skopeo|oras|regctl)$/.test(tool ?? '') && words[1]?.value === 'login') rest = words.slice(2);
  else if (tool === 'helm' && words[1]?.value === 'registry' && words[2]?.value === 'login') rest = words.slice(3);
  else return;
  const { options } = parseOptions(rest, new Set(['u', 'p']), new Set(['username', 'password', 'authfile', 'cert-dir', 'tls-verify']));
  const userOption = options.find((o) => o.name === 'u' || o.name === 'username');
  const passwordOption = options.find((o) => o.name === 'p' || o.name === 'password');
  const at = place.source.toFile(place.command.span.start);
  const user = userOption?.value ? model.variables.expand(userOption.value.word, at) : undefined;
  model.logins.push({
    tool: tool === 'helm' ? 'helm registry' : tool!,
    user: user !== undefined ? { value: user, robot: /^robot[$+]|^robot\\\$|robot\$/i.test(user) || /robot/i.test(userOption!.value!.text) } : undefined,
    password: passwordOption?.value ? { option: passwordOption.words[0], value: passwordOption.value.word } : undefined,
    passwordStdin: options.some((o) => o.name === 'password-stdin'),
    shell: place,
  });
}

// ---- Ansible uri ----------------------------------------------------------

const URI_MODULES = new Set(['uri', 'ansible.builtin.uri', 'ansible.legacy.uri']);

function readAnsibleUri(yaml: ParsedYaml, text: string): HttpRequest[] {
  const requests: HttpRequest[] = [];
  for (const pair of pairsOf(yaml)) {
    if (!isScalar(pair.key) || !URI_MODULES.has(String(pair.key.value)) || !isMap(pair.value)) continue;
    const module = pair.value;
    const get = (key: string) => module.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    const urlNode = get('url')?.value as Node | null | undefined;
    if (!urlNode || !isScalar(urlNode) || !urlNode.range) continue;
    const [start, end] = urlNode.range;
    const written = text.slice(start, end).replace(/^(["'])(.*)\1$/s, '$2');
    const quoteShift = /^["']/.test(text.slice(start, end)) ? 1 : 0;
    const endpoint = classifyUrl(written);
    if (!endpoint) continue;
    const methodNode = get('method')?.value;
    const headers = get('headers')?.value;
    let bearer: BearerAuth | undefined;
    let authorization: Node | undefined;
    if (isMap(headers)) {
      const auth = headers.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value).toLowerCase() === 'authorization');
      const value = auth?.value as Node | undefined;
      if (value && isScalar(value) && value.range) {
        const source = text.slice(value.range[0], value.range[1]).replace(/^["']/, '');
        if (/^bearer\b/i.test(source)) {
          authorization = auth as unknown as Node;
          bearer = { span: { start: (auth!.key as Node).range![0], end: value.range[1] }, fromTokenService: false, looksLikeIdToken: /id_?token|oidc/i.test(source) };
        }
      }
    }
    const offsets = [...written].map((_, i) => start + quoteShift + i);
    requests.push({
      tool: 'ansible-uri',
      method: isScalar(methodNode) ? String(methodNode.value).toUpperCase() : 'GET',
      endpoint,
      url: { written, span: { start, end }, offsets },
      bearer,
      ansible: { module, headers: isMap(headers) ? headers : undefined, authorization },
    });
  }
  return requests;
}
