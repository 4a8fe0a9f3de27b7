// Just enough TrueType for PDF: reading a WOFF (or TTF) into its tables once, and writing,
// per document, a subset font that keeps the original glyph ids and carries only the
// outlines a document uses. Keeping the ids means no remapping (the shaper's ids go
// straight into the content stream) and makes subsetting a byte copy: ~0.1 ms, where a
// general subsetter re-encoding the font takes tens of milliseconds per document.
import { inflateSync } from 'node:zlib';

export interface SfntTables {
  tables: Map<string, Uint8Array>;
  numGlyphs: number;
  unitsPerEm: number;
  numberOfHMetrics: number;
  /** Glyph outline byte ranges inside glyf: loca[gid] .. loca[gid + 1]. */
  loca: Uint32Array;
  /** head.xMin, yMin, xMax, yMax in font units. */
  bbox: [number, number, number, number];
  ascender: number;
  descender: number;
  capHeight: number;
}

const tagAt = (v: DataView, o: number) => String.fromCharCode(v.getUint8(o), v.getUint8(o + 1), v.getUint8(o + 2), v.getUint8(o + 3));
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** The tables of a WOFF 1.0 or a plain TrueType font file. */
export function readFontFile(bytes: Uint8Array): SfntTables {
  const v = view(bytes);
  const signature = tagAt(v, 0);
  const tables = new Map<string, Uint8Array>();
  if (signature === 'wOFF') {
    const numTables = v.getUint16(12);
    for (let i = 0; i < numTables; i++) {
      const e = 44 + i * 20;
      const tag = tagAt(v, e);
      const offset = v.getUint32(e + 4);
      const compLength = v.getUint32(e + 8);
      const origLength = v.getUint32(e + 12);
      const data = bytes.subarray(offset, offset + compLength);
      tables.set(tag, compLength < origLength ? new Uint8Array(inflateSync(data)) : data);
    }
  } else if (v.getUint32(0) === 0x00010000 || signature === 'true') {
    const numTables = v.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const e = 12 + i * 16;
      tables.set(tagAt(v, e), bytes.subarray(v.getUint32(e + 8), v.getUint32(e + 8) + v.getUint32(e + 12)));
    }
  } else {
    throw new Error(`not a TrueType or WOFF 1.0 font (signature ${JSON.stringify(signature)})`);
  }
  for (const t of ['head', 'hhea', 'hmtx', 'maxp', 'loca', 'glyf']) if (!tables.has(t)) throw new Error(`font has no ${t} table`);
  const head = view(tables.get('head')!);
  const hhea = view(tables.get('hhea')!);
  const numGlyphs = view(tables.get('maxp')!).getUint16(4);
  const longLoca = head.getInt16(50) === 1;
  const locaView = view(tables.get('loca')!);
  const loca = new Uint32Array(numGlyphs + 1);
  for (let i = 0; i <= numGlyphs; i++) loca[i] = longLoca ? locaView.getUint32(i * 4) : locaView.getUint16(i * 2) * 2;
  const os2 = tables.get('OS/2');
  const os2v = os2 ? view(os2) : null;
  const ascender = hhea.getInt16(4);
  return {
    tables,
    numGlyphs,
    unitsPerEm: head.getUint16(18),
    numberOfHMetrics: hhea.getUint16(34),
    loca,
    bbox: [head.getInt16(36), head.getInt16(38), head.getInt16(40), head.getInt16(42)],
    ascender,
    descender: hhea.getInt16(6),
    capHeight: os2 && os2v && os2v.getUint16(0) >= 2 && os2.length >= 90 ? os2v.getInt16(88) : Math.round(ascender * 0.7),
  };
}

/** The glyph's advance width in font units (hmtx). */
export function advanceOf(f: SfntTables, gid: number): number {
  const hmtx = view(f.tables.get('hmtx')!);
  return hmtx.getUint16(Math.min(gid, f.numberOfHMetrics - 1) * 4);
}

const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

/** The glyphs plus every component their composite outlines refer to, and always .notdef. */
export function closeOverComponents(f: SfntTables, gids: Iterable<number>): number[] {
  const glyf = f.tables.get('glyf')!;
  const g = view(glyf);
  const seen = new Set<number>([0]);
  const stack = [...gids];
  while (stack.length) {
    const gid = stack.pop()!;
    if (gid < 0 || gid >= f.numGlyphs || seen.has(gid)) continue;
    seen.add(gid);
    const start = f.loca[gid];
    if (f.loca[gid + 1] - start < 10 || g.getInt16(start) >= 0) continue;
    let p = start + 10;
    for (;;) {
      const flags = g.getUint16(p);
      stack.push(g.getUint16(p + 2));
      p += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      if (flags & WE_HAVE_A_SCALE) p += 2;
      else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) p += 4;
      else if (flags & WE_HAVE_A_TWO_BY_TWO) p += 8;
      if (!(flags & MORE_COMPONENTS)) break;
    }
  }
  return [...seen].sort((a, b) => a - b);
}

function checksum(b: Uint8Array): number {
  let sum = 0;
  const n = b.length & ~3;
  for (let i = 0; i < n; i += 4) sum = (sum + ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3])) >>> 0;
  if (n < b.length) {
    let last = 0;
    for (let i = n; i < n + 4; i++) last = (last << 8) | (i < b.length ? b[i] : 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

/** post table version 3: no glyph names (PDF needs none). */
function postV3(f: SfntTables): Uint8Array {
  const src = f.tables.get('post');
  const out = new Uint8Array(32);
  if (src && src.length >= 32) out.set(src.subarray(0, 32));
  view(out).setUint32(0, 0x00030000);
  return out;
}

/**
 * A TrueType font with the same glyph ids as `f` in which only `gids` (and the components
 * they use) keep their outlines and widths; all other glyphs are empty. Tables: the ones PDF
 * requires of an embedded TrueType font (head, hhea, hmtx, loca, maxp, glyf; cvt, fpgm,
 * prep when present), plus OS/2 and post for readers that look for them.
 */
export function subsetRetainingIds(f: SfntTables, gids: Iterable<number>): Uint8Array {
  const keep = closeOverComponents(f, gids);
  const glyfSrc = f.tables.get('glyf')!;
  let glyfSize = 0;
  for (const gid of keep) glyfSize += (f.loca[gid + 1] - f.loca[gid] + 3) & ~3;
  const glyf = new Uint8Array(glyfSize);
  const loca = new Uint8Array((f.numGlyphs + 1) * 4);
  const lv = view(loca);
  const hmtxSrc = f.tables.get('hmtx')!;
  const hmtx = new Uint8Array(hmtxSrc.length);
  let at = 0;
  let k = 0;
  for (let gid = 0; gid < f.numGlyphs; gid++) {
    lv.setUint32(gid * 4, at);
    if (keep[k] !== gid) continue;
    k++;
    const s = f.loca[gid];
    const e = f.loca[gid + 1];
    glyf.set(glyfSrc.subarray(s, e), at);
    at += (e - s + 3) & ~3;
    if (gid < f.numberOfHMetrics) hmtx.set(hmtxSrc.subarray(gid * 4, gid * 4 + 4), gid * 4);
    else {
      const o = f.numberOfHMetrics * 4 + (gid - f.numberOfHMetrics) * 2;
      hmtx.set(hmtxSrc.subarray(o, o + 2), o);
    }
  }
  lv.setUint32(f.numGlyphs * 4, at);
  // Glyphs past numberOfHMetrics take the last advance: keep it so they keep their width.
  const last = (f.numberOfHMetrics - 1) * 4;
  hmtx.set(hmtxSrc.subarray(last, last + 2), last);

  const head = new Uint8Array(f.tables.get('head')!);
  view(head).setInt16(50, 1); // long loca offsets

  const out = new Map<string, Uint8Array>([
    ['head', head],
    ['hhea', f.tables.get('hhea')!],
    ['hmtx', hmtx],
    ['loca', loca],
    ['maxp', f.tables.get('maxp')!],
    ['glyf', glyf],
    ['post', postV3(f)],
  ]);
  for (const t of ['OS/2', 'cvt ', 'fpgm', 'prep']) if (f.tables.has(t)) out.set(t, f.tables.get(t)!);
  return writeSfnt(out);
}

/** An sfnt (TrueType) file of the given tables, with checksums and head.checkSumAdjustment set. */
export function writeSfnt(tables: Map<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort();
  const n = tags.length;
  let size = 12 + n * 16;
  for (const t of tags) size += (tables.get(t)!.length + 3) & ~3;
  const out = new Uint8Array(size);
  const v = view(out);
  let pow = 1;
  let log = 0;
  while (pow * 2 <= n) (pow *= 2), log++;
  v.setUint32(0, 0x00010000);
  v.setUint16(4, n);
  v.setUint16(6, pow * 16);
  v.setUint16(8, log);
  v.setUint16(10, n * 16 - pow * 16);
  let at = 12 + n * 16;
  let headAt = -1;
  tags.forEach((tag, i) => {
    const src = tables.get(tag)!;
    out.set(src, at);
    if (tag === 'head') {
      headAt = at;
      v.setUint32(at + 8, 0); // checkSumAdjustment: 0 while checksumming
    }
    const e = 12 + i * 16;
    for (let c = 0; c < 4; c++) v.setUint8(e + c, tag.charCodeAt(c));
    v.setUint32(e + 4, checksum(out.subarray(at, at + src.length)));
    v.setUint32(e + 8, at);
    v.setUint32(e + 12, src.length);
    at += (src.length + 3) & ~3;
  });
  if (headAt >= 0) v.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
