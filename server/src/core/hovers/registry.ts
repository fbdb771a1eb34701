/** Every hover provider, one line each, asked in order. */
import { credentialKeysHover } from './credential-keys';
import type { HoverProvider } from './hover';

export const hoverProviders: readonly HoverProvider[] = [
  credentialKeysHover,
];
