/**
 * What a rule is: metadata (the single source of its docs page) plus one
 * `check` function that reads a model of the file and reports findings.
 */
import type { NginxModel } from '../nginx/model';
import type { LineIndex } from '../text';
import type { PathMapping } from '../pathMapping';
import type { FileAccess, FileKind, FixSafety, Recognition, Severity, Span, TextEdit } from '../types';
import type { HelmValuesTarget } from '../yaml/harborYaml';
import type { ParsedYaml, YamlMapView } from '../yaml/yamlModel';
import type { LegacyCfg } from '../legacyCfg';
import type { RandomSource } from '../secrets';
import type { ScriptModel } from '../scripts/model';
import type { DetectedVersion } from '../versions';

export interface RuleDocs {
  /** One paragraph: what the rule checks. */
  whatItDoes: string;
  /** The failure the user sees, in the words of the log line or client error. */
  why: string;
  /** A config that fires, as a fenced code block body. */
  example: { language: 'yaml' | 'nginx' | 'ini' | 'sh' | 'makefile' | 'python' | 'powershell'; code: string };
  /** What to do instead, and what the quick fix does. */
  fix: string;
  /** Versions the rule depends on, where that matters. */
  versions?: string;
  /** Sources: issue numbers and source paths from research/harbor-rules.md. */
  evidence?: string[];
}

export interface RuleMeta {
  /** Stable id: the settings key, the suppression id, the docs page and the fixture folder. */
  id: string;
  catalogId: string | null;
  title: string;
  appliesTo: readonly FileKind[];
  defaultSeverity: Severity;
  /** The safest fix this rule offers; 'none' when it offers no fix. */
  fixSafety: FixSafety | 'none';
  /**
   * nginx: each finding comes from one server at a time (the rule walks the servers in order, reads
   * a server's scope chain, and dedupes only on the directive its finding is placed on; it reads no
   * file). Typing inside one server then re-runs the rule on that server alone (nginxEdits.ts).
   */
  perServer?: true;
  docs: RuleDocs;
}

export interface Report {
  span: Span;
  /** One sentence (≤ 160 characters): the cause, then the symptom the user sees. */
  message: string;
  /** Markdown: the full explanation that does not fit the one-line message. */
  detail?: string;
  /** Overrides the rule's default severity for this finding (before user settings). */
  severity?: Severity;
  related?: { file?: string; span: Span; message: string; text?: string }[];
  fixes?: ReportFix[];
}

/** A fix as a rule offers it: the title stays short (menus cut it), the note is the rest of the story and goes into the finding's detail. */
export interface ReportFix {
  title: string;
  safety: FixSafety;
  edits: TextEdit[];
  note?: string;
}

/** Everything a rule may read about the document being checked. */
export interface RuleContext {
  uri: string;
  /** File-system path of the document, when it has one (resolves relative key and certificate paths). */
  path?: string;
  text: string;
  lines: LineIndex;
  recognition: Recognition;
  files: FileAccess;
  /** `paths:` mappings: where key and certificate files named for another host are found here. */
  pathMappings: readonly PathMapping[];
  /** Folders searched by name for a missing absolute key or certificate path (workspace folders, the CLI's paths). */
  searchRoots: readonly string[];
  /** Records a key or certificate path that cannot be read here: shown in hover and summary, never as a finding. */
  noteUnreadable(path: { kind?: 'include'; written: string; path: string; reason: string; span: Span }): void;
  /** For fixes that generate a secret; seeded in tests. */
  random: RandomSource;
  yaml?: ParsedYaml;
  /** goharbor chart values found in the document (may be several: Argo apps, wrappers). */
  helmValues: HelmValuesTarget[];
  installer?: YamlMapView;
  legacyCfg?: LegacyCfg;
  /** The installer version harbor.yml / harbor.cfg is for (the newest when the file does not say). */
  installerVersion?: DetectedVersion;
  nginx?: NginxModel;
  /** Requests, logins and shell code of a Harbor API client (scripts, CI files, Ansible, Python, PowerShell). */
  script?: ScriptModel;
  /** Harbor's robot account name prefix (`robot$` by default; `robot_name_prefix` in `.harbor-audit.yaml`). */
  robotNamePrefix: string;
  report(finding: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): void | Promise<void>;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Rules about the input itself (binary, too large, bad encoding): the facade reports them before any parsing. */
export interface InputRule {
  meta: RuleMeta;
}
