/**
 * User settings: per-rule severity and ignore globs. They come from
 * `.harbor-audit.yaml` at the workspace root (read by the CLI and the server)
 * and, in the editor, from `harborAudit.rules`, which wins.
 */
import { parse } from 'yaml';
import { anchorMappings, type PathMapping } from './pathMapping';
import type { Severity, SeveritySetting } from './types';

export interface AuditSettings {
  /** Keyed by rule id or `HB-*` catalog id; a rule id entry wins over a catalog id entry. */
  rules: Record<string, SeveritySetting>;
  /** Globs, relative to the workspace root, of files not to check. */
  ignore: string[];
  /** `paths:`: where files that configs name on another host are found here. */
  paths?: PathMapping[];
  /** The goharbor chart version (or range) values are for, when the files do not say. */
  chartVersion?: string;
  /** The Harbor version harbor.yml / harbor.cfg are for (and the chart's appVersion), when the files do not say. */
  harborVersion?: string;
  /** `robot_name_prefix:` Harbor's robot account prefix (its system setting of that name), `robot$` unless changed. */
  robotNamePrefix?: string;
}

export const defaultSettings: AuditSettings = { rules: {}, ignore: [] };

const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'hint', 'info', 'warning', 'error'];

export function isSeveritySetting(value: unknown): value is SeveritySetting {
  return typeof value === 'string' && (SEVERITY_SETTINGS as readonly string[]).includes(value);
}

export interface SettingsProblem {
  message: string;
}

/**
 * Parses `.harbor-audit.yaml`. Unknown keys and bad values are reported, never fatal.
 * `baseDir` (the file's folder) anchors the relative targets of `paths:`.
 */
export function parseSettingsFile(text: string, baseDir = '/'): { settings: AuditSettings; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  let data: unknown;
  try {
    data = parse(text, { prettyErrors: false });
  } catch (error) {
    return { settings: { ...defaultSettings }, problems: [{ message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  if (data === null || data === undefined) return { settings: { ...defaultSettings }, problems };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { settings: { ...defaultSettings }, problems: [{ message: 'expected a mapping with `rules` and `ignore`' }] };
  }
  const record = data as Record<string, unknown>;
  const known = ['rules', 'ignore', 'paths', 'chartVersion', 'harborVersion', 'robot_name_prefix'];
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) problems.push({ message: `unknown key \`${key}\` (expected one of ${known.map((k) => `\`${k}\``).join(', ')})` });
  }
  const settings: AuditSettings = { rules: readRuleSeverities(record.rules, problems), ignore: readIgnore(record.ignore, problems) };
  if (record.paths !== undefined && record.paths !== null) settings.paths = readPathMappings(record.paths, baseDir, problems);
  for (const key of ['chartVersion', 'harborVersion'] as const) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number') settings[key] = String(value);
    else problems.push({ message: `\`${key}\` must be a version such as 1.13.0` });
  }
  if (typeof record.robot_name_prefix === 'string' && record.robot_name_prefix !== '') settings.robotNamePrefix = record.robot_name_prefix;
  else if (record.robot_name_prefix !== undefined && record.robot_name_prefix !== null) problems.push({ message: '`robot_name_prefix` must be a string such as `robot$`' });
  return { settings, problems };
}

/** `paths:` (a mapping from an absolute path as configs name it to a folder or file here, relative to `baseDir`). */
export function readPathMappings(value: unknown, baseDir: string, problems: SettingsProblem[] = []): PathMapping[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ message: '`paths` must map absolute paths to folders here, e.g. `/data/cert: ./certs`' });
    return [];
  }
  const { mappings, problems: found } = anchorMappings(value as Record<string, string>, baseDir);
  problems.push(...found.map((message) => ({ message })));
  return mappings;
}

export function readRuleSeverities(value: unknown, problems: SettingsProblem[] = []): Record<string, SeveritySetting> {
  const rules: Record<string, SeveritySetting> = {};
  if (value === undefined || value === null) return rules;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ message: '`rules` must map rule ids to off, hint, info, warning or error' });
    return rules;
  }
  for (const [id, setting] of Object.entries(value as Record<string, unknown>)) {
    if (isSeveritySetting(setting)) rules[id] = setting;
    else problems.push({ message: `rule \`${id}\`: \`${String(setting)}\` is not one of ${SEVERITY_SETTINGS.join(', ')}` });
  }
  return rules;
}

function readIgnore(value: unknown, problems: SettingsProblem[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((glob) => typeof glob !== 'string')) {
    problems.push({ message: '`ignore` must be a list of globs' });
    return [];
  }
  return value as string[];
}

/** Merges settings; later sources win rule by rule. */
export function mergeSettings(...sources: Partial<AuditSettings>[]): AuditSettings {
  const merged: AuditSettings = { rules: {}, ignore: [] };
  for (const source of sources) {
    Object.assign(merged.rules, source.rules ?? {});
    merged.ignore.push(...(source.ignore ?? []));
    if (source.paths?.length) merged.paths = [...(merged.paths ?? []), ...source.paths];
    if (source.chartVersion) merged.chartVersion = source.chartVersion;
    if (source.harborVersion) merged.harborVersion = source.harborVersion;
    if (source.robotNamePrefix) merged.robotNamePrefix = source.robotNamePrefix;
  }
  return merged;
}

export function effectiveSeverity(
  settings: AuditSettings,
  rule: { id: string; catalogId: string | null },
  reported: Severity,
): SeveritySetting {
  return settings.rules[rule.id] ?? (rule.catalogId ? settings.rules[rule.catalogId] : undefined) ?? reported;
}

/** Whether a workspace-relative path (with `/`) matches one of the ignore globs. */
export function isIgnored(relativePath: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(relativePath));
}

/** gitignore-like globs: `**` spans folders, `*` and `?` stay inside one; a glob without `/` matches at any depth. */
export function globToRegExp(glob: string): RegExp {
  let pattern = glob.trim().replace(/^\.\//, '');
  const anchored = pattern.includes('/') && !pattern.startsWith('**/');
  if (pattern.endsWith('/')) pattern += '**';
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${source}(?:/.*)?$`);
}
