// The release artefact itself: what `npm run package` put into harbor-audit-<version>.vsix.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { MANIFEST, REPO, vsixPath } from './harness.mjs';

const MAX_BYTES = 1.5 * 1024 * 1024;

/** Entries of a zip file from its central directory (enough for a .vsix; no zip64). */
function readZip(buffer) {
  const eocd = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file (no end of central directory)');
  const count = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(buffer.readUInt32LE(offset), 0x02014b50, 'bad central directory entry');
    const method = buffer.readUInt16LE(offset + 10);
    const compressedSize = buffer.readUInt32LE(offset + 20);
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    const localOffset = buffer.readUInt32LE(offset + 42);
    const name = buffer.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.set(name, {
      size,
      read() {
        const start = localOffset + 30 + buffer.readUInt16LE(localOffset + 26) + buffer.readUInt16LE(localOffset + 28);
        const data = buffer.subarray(start, start + compressedSize);
        return method === 0 ? data : inflateRawSync(data);
      },
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('packaged .vsix', () => {
  const path = vsixPath();
  const bytes = statSync(path).size;
  const entries = readZip(readFileSync(path));
  const names = [...entries.keys()].sort();
  console.log(`# ${path}: ${(bytes / 1024).toFixed(1)} KiB, ${names.length} entries`);
  for (const name of names) console.log(`#   ${name} (${entries.get(name).size} bytes)`);

  test(`is smaller than 1.5 MB`, () => {
    assert.ok(bytes < MAX_BYTES, `${bytes} bytes`);
  });

  test('the size the README states is the size of this package (within 5 %)', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const stated = /Build the package \((\d+) KiB as measured/.exec(readme);
    assert.ok(stated, 'README.md no longer states the package size as "Build the package (N KiB as measured ..."');
    const actual = bytes / 1024;
    assert.ok(Math.abs(actual - Number(stated[1])) <= actual * 0.05, `README.md says ${stated[1]} KiB, the .vsix is ${actual.toFixed(0)} KiB: update the README`);
  });

  test('holds the bundles (the CLI is the server too), the grammar, the rule docs, README, CHANGELOG, LICENSE and the icon', () => {
    for (const required of [
      'extension/package.json',
      'extension/dist/client.js',
      'extension/dist/languageClient.js',
      'extension/dist/cli.js',
      'extension/dist/harbor-audit.js',
      'extension/syntaxes/nginx.tmLanguage.json',
      'extension/syntaxes/nginx.language-configuration.json',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/LICENSE.txt',
      'extension/docs/images/icon.png',
      // The page log diagnostics and Explain Log link to.
      'extension/docs/log-signatures.md',
    ]) {
      assert.ok(entries.has(required), `${required} missing`);
    }
    for (const rule of ['default-admin-password', 'proxy-body-size']) {
      assert.ok(entries.has(`extension/docs/rules/${rule}.md`), `docs/rules/${rule}.md missing`);
    }
  });

  test('holds nothing else: no sources, maps, tests, node_modules or stray files', () => {
    const allowed = [
      /^\[Content_Types\]\.xml$/,
      /^extension\.vsixmanifest$/,
      /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
      /^extension\/dist\/(client|languageClient|cli|harbor-audit)\.js$/,
      /^extension\/syntaxes\/[^/]+\.json$/,
      /^extension\/docs\/rules\/[^/]+\.md$/,
      /^extension\/docs\/log-signatures\.md$/,
      /^extension\/docs\/images\/icon\.png$/,
      // The harbor.yml JSON Schema contributed through yamlValidation.
      /^extension\/schemas\/harbor-yml\.schema\.json$/,
    ];
    const unexpected = names.filter((name) => !allowed.some((re) => re.test(name)));
    assert.deepEqual(unexpected, []);
  });

  test('the packaged manifest is this package.json, with production bundles', () => {
    const packaged = JSON.parse(entries.get('extension/package.json').read().toString('utf8'));
    assert.equal(packaged.name, MANIFEST.name);
    assert.equal(packaged.version, MANIFEST.version);
    assert.equal(packaged.main, './dist/client.js');
    for (const bundle of ['client', 'languageClient', 'cli', 'harbor-audit']) {
      const entry = entries.get(`extension/dist/${bundle}.js`);
      assert.ok(entry, `dist/${bundle}.js missing`);
      const text = entry.read().toString('utf8');
      assert.ok(!text.includes('sourceMappingURL'), `dist/${bundle}.js has a source map reference (not built with --production?)`);
    }
    const manifestXml = entries.get('extension.vsixmanifest').read().toString('utf8');
    if (MANIFEST.icon) assert.match(manifestXml, /<Icon>extension\/docs\/images\/icon\.png<\/Icon>/);
    else console.log('# note: package.json has no "icon" field, so the packaged icon.png is not shown as the extension icon');
  });
});
