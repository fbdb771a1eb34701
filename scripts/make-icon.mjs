#!/usr/bin/env node
// Draws the extension icon (docs/images/icon.png, 128x128 RGBA) without any image library:
// a blue rounded square with a white container "stack" and a green check badge.
// Run: node scripts/make-icon.mjs [out.png]
import { deflateSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const out = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), '../docs/images/icon.png'));

// Signed distance helpers (negative inside).
const roundedBox = (x, y, cx, cy, hw, hh, r) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const segment = (x, y, ax, ay, bx, by, w) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - dx * h, py - dy * h) - w;
};
const coverage = (d) => Math.max(0, Math.min(1, 0.5 - d)); // 1px anti-aliasing

function shade(x, y) {
  let rgba = [0, 0, 0, 0];
  const over = (color, a) => {
    if (a <= 0) return;
    const outA = a + rgba[3] * (1 - a);
    for (let i = 0; i < 3; i++) rgba[i] = (color[i] * a + rgba[i] * rgba[3] * (1 - a)) / (outA || 1);
    rgba[3] = outA;
  };
  // Background: rounded square, vertical gradient from Harbor-ish blue to navy.
  const t = y / SIZE;
  over([Math.round(36 - 20 * t), Math.round(120 - 60 * t), Math.round(200 - 70 * t)], coverage(roundedBox(x, y, 64, 64, 62, 62, 22)));
  // Three stacked "containers".
  for (const cy of [40, 64, 88]) {
    over([255, 255, 255], coverage(roundedBox(x, y, 52, cy, 32, 9, 4)));
    over([36, 96, 170], coverage(roundedBox(x, y, 52, cy, 26, 2.2, 2)));
  }
  // Check badge bottom-right.
  over([255, 255, 255], coverage(circle(x, y, 94, 92, 25)));
  over([46, 160, 67], coverage(circle(x, y, 94, 92, 21)));
  const check = Math.min(segment(x, y, 83, 93, 91, 101, 3.6), segment(x, y, 91, 101, 106, 83, 3.6));
  over([255, 255, 255], coverage(check));
  return rgba;
}

// Raw scanlines (filter byte 0 + RGBA), 4x4 supersampled.
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0;
  for (let x = 0; x < SIZE; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) {
      const [r, g, b, a] = shade(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
      acc[0] += r * a; acc[1] += g * a; acc[2] += b * a; acc[3] += a;
    }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    const a = acc[3] / 16;
    raw[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
    raw[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
    raw[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
    raw[o + 3] = Math.round(a * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0); ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
