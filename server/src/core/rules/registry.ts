/** Every rule, one line each. The id is the settings key, the docs page and the fixture folder. */
import { defaultAdminPassword } from './default-admin-password';
import { inputEncoding } from './input-encoding';
import { inputNotText } from './input-not-text';
import { inputTooLarge } from './input-too-large';
import { nginxInclude } from './nginx-include';
import { nginxSyntax } from './nginx-syntax';
import { proxyBodySize } from './proxy-body-size';
import type { InputRule, Rule, RuleMeta } from './rule';
import { yamlSyntax } from './yaml-syntax';

/** Rules that read a parsed model, in the order they run. */
export const allRules: readonly Rule[] = [
  yamlSyntax,
  nginxSyntax,
  nginxInclude,
  defaultAdminPassword,
  proxyBodySize,
];

/** Rules the facade reports before parsing. */
export const inputRules = { notText: inputNotText, tooLarge: inputTooLarge, encoding: inputEncoding } satisfies Record<string, InputRule>;

export const ruleCatalog: readonly RuleMeta[] = [...Object.values(inputRules), ...allRules].map((rule) => rule.meta);

export function findRuleMeta(idOrCatalogId: string): RuleMeta | undefined {
  return ruleCatalog.find((meta) => meta.id === idOrCatalogId) ?? ruleCatalog.find((meta) => meta.catalogId === idOrCatalogId);
}
