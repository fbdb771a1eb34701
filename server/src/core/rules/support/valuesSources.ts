/**
 * Whether the chart values found in a GitOps manifest are only part of what
 * Helm receives: a Flux HelmRelease with `valuesFrom` (often a Secret, which
 * is where people keep secretKey), or an Argo CD source with `valueFiles` or
 * `parameters`. Rules that report a value by its omission must stay quiet then.
 */
import type { Span } from '../../types';
import type { RuleContext } from '../rule';
import type { HelmValuesTarget } from '../../yaml/harborYaml';
import { rootMaps, YamlMapView } from '../../yaml/yamlModel';
import { isMap, isSeq } from 'yaml';

export function valuesMayComeFromElsewhere(context: RuleContext, target: HelmValuesTarget): boolean {
  // A ConfigMap's values are one part of what valuesFrom merges.
  if (target.location === 'configmap') return true;
  // A ytt template or overlay (`#@` lines) adds and replaces keys when it runs.
  if (/^[ \t]*#@/m.test(target.yaml.text)) return true;
  if (target.location !== 'flux' && target.location !== 'argo') return false;
  if (!context.yaml) return true;
  const at = target.values.span.start;
  for (const root of rootMaps(context.yaml)) {
    const { start, end } = root.span;
    if (at < start || at > end) continue;
    if (target.location === 'flux') return root.isSet('spec.valuesFrom');
    const sources: YamlMapView[] = [];
    const single = root.getMap('spec.source') ?? root.getMap('spec.template.spec.source');
    if (single) sources.push(single);
    const list = root.get('spec.sources')?.node;
    if (list && isSeq(list)) for (const item of list.items) if (isMap(item)) sources.push(new YamlMapView(root.yaml, root.document, item));
    return sources.some((source) => source.isSet('helm.valueFiles') || source.isSet('helm.parameters') || source.isSet('helm.fileParameters'));
  }
  return false;
}

/**
 * Where a finding about an omitted value goes (its chart default applies), or
 * undefined when it should not be reported. Only values known to be the whole
 * set Helm receives (a wrapper's `harbor:` block, a HelmRelease's `values:`, an
 * Argo source's `valuesObject:` without value files) make the default certain;
 * the finding goes on the key that holds them. A plain values file is often one
 * of several `-f` files, so an omission there proves nothing.
 */
export function omittedDefaultAnchor(context: RuleContext, target: HelmValuesTarget): Span | undefined {
  if ((target.location !== 'wrapper' && target.location !== 'flux' && target.location !== 'argo') || !target.holder) return undefined;
  if (valuesMayComeFromElsewhere(context, target)) return undefined;
  return target.holder;
}

/**
 * Whether a key these values leave unset takes the chart default for certain
 * enough to report: the values are not one part of several (valuesFrom, value
 * files, a ytt overlay), and either they are the whole set Helm receives or they
 * write the block that would hold the key (`expose.tls` for certSource). A plain
 * values file that only overrides a few other keys is often one of several `-f`
 * files: the key may well be set in another.
 */
export function unsetKeyTakesDefault(context: RuleContext, target: HelmValuesTarget, block: string): boolean {
  if (valuesMayComeFromElsewhere(context, target)) return false;
  return target.values.getMap(block) !== undefined || omittedDefaultAnchor(context, target) !== undefined;
}
