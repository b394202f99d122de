#!/usr/bin/env node
// Writes the tray and app icons into resources/ with nothing but node:zlib: shapes are
// sampled 4x4 per pixel (anti-aliasing), painted back to front, and encoded as RGBA PNGs
// (signature, IHDR, one IDAT, IEND; CRC32 by hand). Windows gets .ico files too (the tray and
// the installer want one file holding several sizes). Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');

// ---- PNG encoding ------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** rgba: Uint8Array of size*size*4, straight (not premultiplied) alpha. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  // compression, filter, interlace: all 0
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- ICO container -------------------------------------------------------------------------
// An .ico is a 6-byte header, a 16-byte entry per image, then the images; since Windows Vista
// an entry may hold a whole PNG. That is ~20 lines, so no image library is added to the
// dependency tree (and none of the npm ones can draw these shapes anyway: they convert files).
/** images: [{ size, png }], smallest first; 256 px is written as 0 in the 1-byte size fields. */
function encodeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1: icon (2 would be a cursor)
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry[0] = size >= 256 ? 0 : size; // width
    entry[1] = size >= 256 ? 0 : size; // height
    entry[2] = 0; // no palette
    entry[3] = 0; // reserved
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    entries.push(entry);
    offset += png.length;
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

// ---- Rasteriser: layers of (inside(x, y) in unit coords, [r, g, b, a]) -------------------
function render(size, layers) {
  const rgba = new Uint8Array(size * size * 4);
  const n = 4; // 4x4 samples per pixel
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0; // premultiplied accumulators
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let cr = 0,
            cg = 0,
            cb = 0,
            ca = 0;
          for (const [inside, colour] of layers) {
            const c = typeof colour === 'function' ? colour(x, y) : colour;
            if (!inside(x, y)) continue;
            if (c === null) {
              cr = cg = cb = ca = 0;
              continue;
            } // null colour erases
            const al = c[3] / 255;
            cr = c[0] * al + cr * (1 - al);
            cg = c[1] * al + cg * (1 - al);
            cb = c[2] * al + cb * (1 - al);
            ca = al + ca * (1 - al);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const count = n * n;
      const i = (py * size + px) * 4;
      const alpha = a / count;
      rgba[i + 3] = Math.round(alpha * 255);
      if (alpha > 0) {
        rgba[i] = Math.round(r / count / alpha);
        rgba[i + 1] = Math.round(g / count / alpha);
        rgba[i + 2] = Math.round(b / count / alpha);
      }
    }
  }
  return rgba;
}

const dist = (x, y, cx, cy) => Math.hypot(x - cx, y - cy);
const disc = (cx, cy, r) => (x, y) => dist(x, y, cx, cy) <= r;
const ring = (cx, cy, ro, ri) => (x, y) => {
  const d = dist(x, y, cx, cy);
  return d <= ro && d >= ri;
};
const and =
  (...fs) =>
  (x, y) =>
    fs.every((f) => f(x, y));
function segment(x1, y1, x2, y2, w) {
  return (x, y) => {
    const dx = x2 - x1,
      dy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
    return dist(x, y, x1 + t * dx, y1 + t * dy) <= w / 2;
  };
}
function triangle(cx, cy, r) {
  // Upward triangle inscribed in a circle of radius r (a warning sign).
  const pts = [0, 1, 2].map((k) => {
    const ang = -Math.PI / 2 + (k * 2 * Math.PI) / 3;
    return [cx + r * Math.cos(ang), cy + r * Math.sin(ang) + r * 0.12];
  });
  return (x, y) => {
    const s = (a, b) => (x - b[0]) * (a[1] - b[1]) - (a[0] - b[0]) * (y - b[1]);
    const d1 = s(pts[0], pts[1]),
      d2 = s(pts[1], pts[2]),
      d3 = s(pts[2], pts[0]);
    return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
  };
}

// ---- The mark: a ring (the stack's loop) with a status badge at the lower right ----------
const DOT = { cx: 0.75, cy: 0.75, r: 0.23 };
/** Status shapes differ too, so the template (monochrome) icons and colour-blind users can tell them apart. */
function statusShape(status) {
  const { cx, cy, r } = DOT;
  switch (status) {
    case 'stopped':
      return ring(cx, cy, r, r * 0.5);
    case 'starting':
      return (x, y) => ring(cx, cy, r, r * 0.5)(x, y) || (disc(cx, cy, r)(x, y) && x <= cx);
    case 'ready':
      return disc(cx, cy, r);
    case 'degraded':
      return triangle(cx, cy, r * 1.15);
    case 'failed': {
      const k = r * 0.75;
      const w = r * 0.55;
      return (x, y) =>
        segment(cx - k, cy - k, cx + k, cy + k, w)(x, y) ||
        segment(cx - k, cy + k, cx + k, cy - k, w)(x, y);
    }
  }
  throw new Error(status);
}

const STATUS_COLOUR = {
  stopped: [138, 143, 152, 255], // grey
  starting: [245, 166, 35, 255], // amber
  ready: [47, 179, 68, 255], // green
  degraded: [245, 166, 35, 255], // amber
  failed: [229, 72, 77, 255], // red
};
const MARK_COLOUR = [92, 107, 192, 255]; // indigo: readable on light and dark panels
const BLACK = [0, 0, 0, 255];

function trayLayers(status, template) {
  const mark = ring(0.42, 0.42, 0.38, 0.24);
  const clearance = disc(DOT.cx, DOT.cy, DOT.r + 0.09); // a gap so the badge reads separately
  return [
    [mark, template ? BLACK : MARK_COLOUR],
    [clearance, null],
    [statusShape(status), template ? BLACK : STATUS_COLOUR[status]],
  ];
}

function appIconLayers() {
  const roundedSquare = (x, y) => {
    const m = 0.06,
      rad = 0.2;
    const qx = Math.max(m + rad - x, 0, x - (1 - m - rad));
    const qy = Math.max(m + rad - y, 0, y - (1 - m - rad));
    return x >= m && x <= 1 - m && y >= m && y <= 1 - m && Math.hypot(qx, qy) <= rad;
  };
  const gradient = (_x, y) => {
    const t = Math.min(1, Math.max(0, y));
    return [Math.round(88 - 30 * t), Math.round(104 - 34 * t), Math.round(220 - 40 * t), 255];
  };
  const white = [255, 255, 255, 255];
  const c = { cx: 0.64, cy: 0.64, r: 0.11 };
  return [
    [roundedSquare, gradient],
    [ring(0.46, 0.46, 0.27, 0.17), white],
    [and(roundedSquare, disc(c.cx, c.cy, c.r + 0.05)), gradient],
    [disc(c.cx, c.cy, c.r), [47, 179, 68, 255]],
  ];
}

mkdirSync(out, { recursive: true });
const written = [];
function write(name, size, layers) {
  writeFileSync(path.join(out, name), encodePng(size, render(size, layers)));
  written.push(name);
}
for (const status of Object.keys(STATUS_COLOUR)) {
  for (const template of [false, true]) {
    const base = template ? `tray-${status}-Template` : `tray-${status}`;
    write(`${base}.png`, 16, trayLayers(status, template));
    write(`${base}@2x.png`, 32, trayLayers(status, template));
  }
}
write('icon.png', 512, appIconLayers());
/** One .ico holding the layers rendered at each size (Windows picks the size it needs). */
function writeIco(name, sizes, layers) {
  const images = sizes.map((size) => ({ size, png: encodePng(size, render(size, layers)) }));
  writeFileSync(path.join(out, name), encodeIco(images));
  written.push(name);
}
// Windows tray: 16 px at 100 % scaling, 20/24 px at 125/150 %, 32 px at 200 %.
for (const status of Object.keys(STATUS_COLOUR)) {
  writeIco(`tray-${status}.ico`, [16, 20, 24, 32], trayLayers(status, false));
}
// electron-builder's win.icon must hold 256 px; the smaller ones serve Explorer and the taskbar.
writeIco('icon.ico', [16, 24, 32, 48, 64, 128, 256], appIconLayers());
console.log(`Wrote ${written.length} icons to ${path.relative(process.cwd(), out) || '.'}:`);
for (const name of written) console.log(`  ${name}`);
