/** Helpers behind the secret rules: bcrypt (registry-credentials) and the existingSecret hover. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hoverAt } from '../../server/src/core/languageService';
import { bcryptHash, bcryptVerify } from '../../server/src/core/rules/support/bcrypt';

describe('bcrypt', () => {
  // Expected values from libxcrypt's crypt(3) (perl -e 'print crypt(...)').
  const vectors: [string, string][] = [
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
    ['0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored', '$2b$06$abcdefghijklmnopqrstuuxkol5yPsyoUVI1gypYXOs1LB/kvo9O.'],
    ['pässwörd', '$2y$04$Fh3kPq8vLm2xRt7wYb4nZe1y0X0IzR3HEdJbqcFfiTl1sN6iQDKwy'],
    ['harbor_registry_password', '$2y$10$abcdefghijklmnopqrstuuI6Au6EPgApcz0mAlFUXWrpO6wOWulp6'],
  ];
  for (const [password, hash] of vectors) {
    it(`hashes and verifies ${hash.slice(0, 7)} (${password.length} characters)`, () => {
      assert.equal(bcryptHash(password, hash), hash);
      assert.equal(bcryptVerify(password, hash), true);
      assert.equal(bcryptVerify(password + 'x', hash), password.length >= 72 ? true : false);
    });
  }

  it('does not check non-bcrypt hashes or costs above the limit', () => {
    assert.equal(bcryptVerify('x', '$apr1$XLefHzeG$Xl4.s00sMSCCcMyJljSZb0'), undefined);
    assert.equal(bcryptVerify('x', '$2y$13$abcdefghijklmnopqrstuuI6Au6EPgApcz0mAlFUXWrpO6wOWulp6'), undefined);
  });
});

describe('existing-secret-keys hover', () => {
  it('lists the key names the chart reads, honouring *Key overrides', async () => {
    const text = 'externalURL: https://harbor.example.com\nexpose:\n  type: clusterIP\ncore:\n  existingXsrfSecret: harbor-xsrf\n  existingXsrfSecretKey: MY_CSRF\nregistry:\n  credentials:\n    existingSecret: harbor-registry\n';
    const xsrf = await hoverAt({ uri: 'values.yaml', text }, text.indexOf('existingXsrfSecret:') + 2);
    assert.match(xsrf!.markdown, /`MY_CSRF`/);
    const registry = await hoverAt({ uri: 'values.yaml', text }, text.indexOf('existingSecret: harbor-registry') + 2);
    assert.match(registry!.markdown, /`REGISTRY_PASSWD` and `REGISTRY_HTPASSWD`/);
  });
});
