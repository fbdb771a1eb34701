/**
 * Whether the chart values found in a GitOps manifest are only part of what
 * Helm receives: a Flux HelmRelease with `valuesFrom` (often a Secret, which
 * is where people keep secretKey), or an Argo CD source with `valueFiles` or
 * `parameters`. Rules that report a value by its omission must stay quiet then.
 */
import type { RuleContext } from '../rule';
import type { HelmValuesTarget } from '../../yaml/harborYaml';
import { rootMaps, YamlMapView } from '../../yaml/yamlModel';
import { isMap, isSeq } from 'yaml';

export function valuesMayComeFromElsewhere(context: RuleContext, target: HelmValuesTarget): boolean {
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
