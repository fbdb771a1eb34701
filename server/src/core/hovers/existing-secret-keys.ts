/** Hover on an `existingSecret*` value in chart values: the exact key names the chart reads from that Secret. */
import { chartSecretReferences, STORAGE_SECRET_KEYS } from '../rules/support/secretManifests';
import { contains, type HoverProvider } from './hover';

export const existingSecretKeysHover: HoverProvider = {
  id: 'existing-secret-keys',
  appliesTo: ['helm-values'],
  hover(context) {
    for (const { values } of context.helmValues) {
      for (const reference of chartSecretReferences(values)) {
        const entry = values.get(reference.path);
        if (!entry || !(contains(entry.keySpan, context.offset) || contains(entry.valueSpan, context.offset))) continue;
        const keys = reference.keys.map((key) => `\`${key}\``).join(' and ');
        const lines = [`**\`${reference.path}\`**: a Secret holding ${reference.what}.`, '', `The chart reads key ${keys} from it; a missing key keeps the pod from starting.`];
        if (reference.keyPath) lines.push('', `\`${reference.keyPath}\` changes the key name.`);
        if (!reference.active) lines.push('', 'Not read with these values (the service is not external).');
        lines.push('', 'Checked by `existing-secret-keys` when the Secret is in the same file.');
        return { span: entry.keySpan, markdown: lines.join('\n') };
      }
      for (const [type, keys] of Object.entries(STORAGE_SECRET_KEYS)) {
        const entry = values.get(`persistence.imageChartStorage.${type}.existingSecret`);
        if (!entry || !contains(entry.keySpan, context.offset)) continue;
        return { span: entry.keySpan, markdown: `**\`persistence.imageChartStorage.${type}.existingSecret\`**: a Secret with the ${type} storage credentials, read as environment: ${keys}. Keys you leave out fall back to the registry's defaults (for example an IAM role).` };
      }
    }
    return undefined;
  },
};
