// Fonts for printed documents: Noto Sans (Latin, with Latin Extended as a fallback) and
// Noto Sans Devanagari (Indian names, and the ₹ sign), regular and bold, embedded in the
// binary under public/fonts/ (copied from npm @fontsource/noto-sans and
// @fontsource/noto-sans-devanagari, SIL OFL). They are parsed once per process; each
// document embeds only the glyphs it uses (see truetype.ts), so a receipt stays small and
// fast. Text is shaped with fontkit (GSUB/GPOS: Devanagari conjuncts, reordered vowel
// signs, mark positioning), one run per font.
//
// fontkit's Indic shaper is compiled with Babel's regenerator: it needs the runtime global.
import 'regenerator-runtime/runtime';
import fontkit from '@pdf-lib/fontkit';
import { publicFiles } from '../../generated/embedded';
import { advanceOf, readFontFile, type SfntTables, writeSfnt } from './truetype';

type FontkitFont = ReturnType<typeof fontkit.create>;

export interface Face {
  /** PostScript name, e.g. NotoSans-Bold. */
  name: string;
  sfnt: SfntTables;
  fk: FontkitFont;
  /** Scripts whose glyph order differs from the text's (Devanagari): drawn with /ActualText. */
  complex: boolean;
  bold: boolean;
  has(codePoint: number): boolean;
  advance(gid: number): number;
}

export interface FontSet {
  /** In fallback order: the first face with a glyph for a character draws it. */
  regular: Face[];
  bold: Face[];
}

// The Latin Extended files carry the same PostScript name as the Latin ones: a suffix keeps
// the two apart in a PDF that embeds both.
const FILES = [
  { file: 'fonts/noto-sans-latin-400.woff', bold: false, complex: false, suffix: '' },
  { file: 'fonts/noto-sans-devanagari-400.woff', bold: false, complex: true, suffix: '' },
  { file: 'fonts/noto-sans-latin-ext-400.woff', bold: false, complex: false, suffix: '-LatinExt' },
  { file: 'fonts/noto-sans-latin-700.woff', bold: true, complex: false, suffix: '' },
  { file: 'fonts/noto-sans-devanagari-700.woff', bold: true, complex: true, suffix: '' },
  { file: 'fonts/noto-sans-latin-ext-700.woff', bold: true, complex: false, suffix: '-LatinExt' },
] as const;

function makeFace(bytes: Uint8Array, bold: boolean, complex: boolean, suffix: string): Face {
  const sfnt = readFontFile(bytes);
  // fontkit gets the tables uncompressed: from a WOFF it would inflate glyf again on every
  // glyph metric it looks up.
  const fk = fontkit.create(writeSfnt(sfnt.tables));
  const cmap = new Set<number>(fk.characterSet);
  const widths = new Map<number, number>();
  return {
    name: (fk.postscriptName ?? 'NotoSans').replace(/[^A-Za-z0-9-]/g, '') + suffix,
    sfnt,
    fk,
    complex,
    bold,
    has: (cp) => cmap.has(cp),
    advance(gid) {
      let w = widths.get(gid);
      if (w === undefined) widths.set(gid, (w = advanceOf(sfnt, gid)));
      return w;
    },
  };
}

let loading: Promise<FontSet> | null = null;

/** The document fonts, read from the embedded files on first use and kept. */
export function documentFonts(): Promise<FontSet> {
  loading ??= (async () => {
    const faces = await Promise.all(
      FILES.map(async (f) => {
        const path = publicFiles[f.file];
        if (!path) throw new Error(`${f.file} is not embedded: run bun build.ts --manifest`);
        return makeFace(new Uint8Array(await Bun.file(path).arrayBuffer()), f.bold, f.complex, f.suffix);
      }),
    );
    return { regular: faces.filter((f) => !f.bold), bold: faces.filter((f) => f.bold) };
  })();
  loading.catch(() => (loading = null));
  return loading;
}

export interface ShapedRun {
  face: Face;
  text: string;
  gids: number[];
  /** Per glyph: the characters it stands for (for the ToUnicode map). */
  chars: string[];
  /** Per glyph, in font units: pen advance, and drawing offset from the pen. */
  xAdvance: number[];
  xOffset: number[];
  yOffset: number[];
  /** Sum of advances, font units. */
  width: number;
}

const JOINERS = new Set([0x200b, 0x200c, 0x200d, 0x2060]);
/** Combining marks and joiners belong to the character before them (no mark is below U+0300). */
const staysWithBase = (cp: number, ch: string) => cp >= 0x300 && (JOINERS.has(cp) || /\p{M}/u.test(ch));
const isSpace = (cp: number) => cp === 0x20 || cp === 0xa0 || cp === 0x09;

/** Splits text into runs each drawn with one face: marks, joiners and spaces stay in their run. */
export function splitRuns(text: string, faces: Face[]): { face: Face; text: string }[] {
  const runs: { face: Face; text: string }[] = [];
  let cur: { face: Face; text: string } | null = null;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    let face: Face;
    if (cur && (staysWithBase(cp, ch) || (isSpace(cp) && cur.face.has(cp)))) face = cur.face;
    else face = faces[0].has(cp) ? faces[0] : (faces.find((f) => f.has(cp)) ?? faces[0]);
    if (cur && cur.face === face) cur.text += ch;
    else runs.push((cur = { face, text: ch }));
  }
  return runs;
}

const shapeCache = new Map<Face, Map<string, ShapedRun>>();
const SHAPE_CACHE_MAX = 4000;

/** Shapes one run (cached: labels, numbers and names repeat across documents). */
export function shapeRun(face: Face, text: string): ShapedRun {
  let cache = shapeCache.get(face);
  if (!cache) shapeCache.set(face, (cache = new Map()));
  const hit = cache.get(text);
  if (hit) return hit;
  const r = face.fk.layout(text);
  const n = r.glyphs.length;
  const run: ShapedRun = { face, text, gids: new Array(n), chars: new Array(n), xAdvance: new Array(n), xOffset: new Array(n), yOffset: new Array(n), width: 0 };
  for (let i = 0; i < n; i++) {
    const g = r.glyphs[i];
    const p = r.positions[i];
    run.gids[i] = g.id;
    run.chars[i] = String.fromCodePoint(...(g.codePoints ?? []));
    run.xAdvance[i] = p.xAdvance;
    run.xOffset[i] = p.xOffset;
    run.yOffset[i] = p.yOffset;
    run.width += p.xAdvance;
  }
  if (cache.size >= SHAPE_CACHE_MAX) cache.clear();
  cache.set(text, run);
  return run;
}

/**
 * A run shaped word by word (spaces are words too), the pieces joined: shaping never crosses
 * a space in these scripts, and words recur across documents (labels, names, amounts in
 * words), so most pieces come from the cache and fontkit only sees new words.
 */
function shapeByWords(face: Face, text: string): ShapedRun {
  const pieces = text.split(/( +)/).filter(Boolean);
  if (pieces.length === 1) return shapeRun(face, text);
  const run: ShapedRun = { face, text, gids: [], chars: [], xAdvance: [], xOffset: [], yOffset: [], width: 0 };
  for (const p of pieces) {
    const r = shapeRun(face, p);
    run.gids.push(...r.gids);
    run.chars.push(...r.chars);
    run.xAdvance.push(...r.xAdvance);
    run.xOffset.push(...r.xOffset);
    run.yOffset.push(...r.yOffset);
    run.width += r.width;
  }
  return run;
}

const joinedCache = new Map<string, ShapedRun[]>();

/** Shaped runs of a string in regular or bold. */
export function shape(fonts: FontSet, text: string, bold = false): ShapedRun[] {
  const key = (bold ? 'b' : 'r') + text;
  const hit = joinedCache.get(key);
  if (hit) return hit;
  const runs = splitRuns(text, bold ? fonts.bold : fonts.regular).map((r) => shapeByWords(r.face, r.text));
  if (joinedCache.size >= SHAPE_CACHE_MAX) joinedCache.clear();
  joinedCache.set(key, runs);
  return runs;
}

/** Width of a string at a size, in points. */
export function textWidth(fonts: FontSet, text: string, size: number, bold = false): number {
  let w = 0;
  for (const r of shape(fonts, text, bold)) w += (r.width * size) / r.face.sfnt.unitsPerEm;
  return w;
}
