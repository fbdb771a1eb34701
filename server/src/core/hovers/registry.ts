/** Every hover provider, one line each, asked in order. */
import { credentialKeysHover } from './credential-keys';
import { existingSecretKeysHover } from './existing-secret-keys';
import { harborApiPathsHover } from './harbor-api-paths';
import type { HoverProvider } from './hover';
import { inlinePemHover } from './inline-pem';
import { keyIdentityHover } from './key-identity';
import { keyModelHover } from './key-model';
import { nginxDirectivesHover } from './nginx-directives';
import { nginxIncludesHover } from './nginx-includes';

export const hoverProviders: readonly HoverProvider[] = [
  credentialKeysHover,
  existingSecretKeysHover,
  keyIdentityHover,
  inlinePemHover,
  nginxIncludesHover,
  nginxDirectivesHover,
  harborApiPathsHover,
  // Last: every other key of the chart values or harbor.yml.
  keyModelHover,
];
