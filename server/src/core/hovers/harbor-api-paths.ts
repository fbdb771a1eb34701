/**
 * Hover on a Harbor URL in a script, pipeline or program: the operation it
 * names and the authentication it takes (the API and the registry differ).
 */
import { describeEndpoint } from '../scripts/harborApi';
import { contains, type HoverProvider } from './hover';

export const harborApiPathsHover: HoverProvider = {
  id: 'harbor-api-paths',
  appliesTo: ['harbor-client'],
  hover({ script, offset }) {
    const request = script?.requests.find((candidate) => contains(candidate.url.span, offset));
    if (!request) return undefined;
    const operation = describeEndpoint(request.endpoint, request.method);
    const sent = request.bearer ? '\n\nThis request sends a **Bearer** token.' : '';
    return { span: request.url.span, markdown: `**${operation.name}**\n\nAuthentication: ${operation.auth}${sent}` };
  },
};
