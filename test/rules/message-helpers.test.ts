/** The helpers that keep finding messages on one line whatever the names in the file. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clip, clipPath, listShort } from '../../server/src/core/rules/support/message';

describe('message helpers', () => {
  it('clip keeps both ends and the limit', () => {
    assert.equal(clip('short'), 'short');
    const long = 'a'.repeat(30) + 'b'.repeat(30);
    const clipped = clip(long, 20);
    assert.equal(clipped.length, 20);
    assert.ok(clipped.startsWith('aaa') && clipped.endsWith('bbb') && clipped.includes('…'));
  });

  it('clipPath cuts a URL path on segment boundaries, keeping the API and the operation', () => {
    assert.equal(clipPath('/api/v2.0/projects/a/repositories/b'), '/api/v2.0/projects/a/repositories/b');
    assert.equal(clipPath('/api/v2.0/projects/$PROJECT/repositories/$REPO/artifacts/$tag/tags/$tag'), '/api/v2.0/projects/$PROJECT/…/$tag/tags/$tag');
    for (const path of ['/api/v2.0/projects/p/repositories/r/artifacts/sha256:0123456789abcdef0123456789abcdef/scan', '/x/' + 'y'.repeat(80) + '/z', 'no-slashes-'.repeat(10)]) {
      const cut = clipPath(path);
      assert.ok(cut.length <= 44, `${cut} is ${cut.length} characters`);
      assert.ok(cut.includes('…'), cut);
    }
  });

  it('listShort names two and counts the rest', () => {
    assert.equal(listShort(['a']), 'a');
    assert.equal(listShort(['a', 'b', 'c']), 'a, b and c');
    assert.equal(listShort(['a', 'b', 'c', 'd', 'e']), 'a, b and 3 more');
  });
});
