// A small drawing surface over pdf-lib for printed documents: pages measured from the top
// (y grows downwards, as one lays out a bill), text in shaped runs of the embedded fonts,
// rules, boxes and QR codes as vector rectangles. Content streams are written as text and
// compressed with zlib; fonts are embedded as per-document subsets (truetype.ts) with a
// ToUnicode map, and runs of reordering scripts (Devanagari) carry /ActualText so that text
// extraction and copy-paste give the characters in logical order (कि, not िक).
import { deflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, PDFNumber, PDFRawStream, PDFString, type PDFContext, type PDFRef } from 'pdf-lib';
import { type Face, type FontSet, shape, type ShapedRun, textWidth } from './fonts';
import { subsetRetainingIds } from './truetype';

export const MM = 72 / 25.4;
export const PAPER = {
  a4: { width: 595.28, height: 841.89 },
  a5: { width: 419.53, height: 595.28 },
  thermal80: { width: 80 * MM, height: 0 },
} as const;

export interface TextStyle {
  size: number;
  bold?: boolean;
  /** Grey level of the ink: 0 black … 1 white. */
  grey?: number;
}

type Op = (pageHeight: number) => string;

/** A number for a content stream: at most two decimals, no trailing zeros. */
const n = (v: number) => String(Math.round(v * 100) / 100);

function utf16Hex(s: string): string {
  let h = 'FEFF';
  for (let i = 0; i < s.length; i++) h += s.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase();
  return h;
}

interface FaceUse {
  resource: string;
  gids: Set<number>;
  unicode: Map<number, string>;
}

export class Page {
  readonly ops: Op[] = [];
  constructor(
    readonly width: number,
    /** 0 while the height is still open (a thermal roll: fitted to the content at the end). */
    public height: number,
  ) {}
}

export class Sheet {
  readonly pages: Page[] = [];
  private readonly uses = new Map<Face, FaceUse>();

  constructor(
    readonly fonts: FontSet,
    readonly width: number,
    readonly height: number,
  ) {
    this.newPage();
  }

  private current = 0;

  /** The page drawn on: the last one added, unless another was chosen with onPage(). */
  get page(): Page {
    return this.pages[this.current];
  }

  newPage(): Page {
    const p = new Page(this.width, this.height);
    this.current = this.pages.push(p) - 1;
    return p;
  }

  onPage(index: number): void {
    this.current = index;
  }

  measure(text: string, style: TextStyle): number {
    return textWidth(this.fonts, text, style.size, style.bold);
  }

  /** Words of `text` broken into lines no wider than `width`; a word too long is cut. */
  wrap(text: string, width: number, style: TextStyle): string[] {
    const lines: string[] = [];
    const space = this.measure(' ', style);
    for (const para of text.split('\n')) {
      let line = '';
      let lineWidth = 0;
      for (const word of para.split(/\s+/).filter(Boolean)) {
        // Words are measured alone (cached) and summed: shaping never joins across a space.
        const w = this.measure(word, style);
        if (line && lineWidth + space + w <= width) {
          line += ' ' + word;
          lineWidth += space + w;
          continue;
        }
        if (line) lines.push(line);
        line = word;
        lineWidth = w;
        // A word wider than the line is cut, by code point (never inside a surrogate pair).
        while (lineWidth > width && [...line].length > 1) {
          const chars = [...line];
          let cut = chars.length - 1;
          while (cut > 1 && this.measure(chars.slice(0, cut).join(''), style) > width) cut--;
          lines.push(chars.slice(0, cut).join(''));
          line = chars.slice(cut).join('');
          lineWidth = this.measure(line, style);
        }
      }
      lines.push(line);
    }
    return lines;
  }

  /** Draws one line of text with its baseline at y; returns its width. */
  text(x: number, y: number, text: string, style: TextStyle, align: 'left' | 'right' | 'center' = 'left'): number {
    if (!text) return 0;
    const runs = shape(this.fonts, text, style.bold);
    let w = 0;
    for (const r of runs) w += (r.width * style.size) / r.face.sfnt.unitsPerEm;
    let pen = align === 'left' ? x : align === 'right' ? x - w : x - w / 2;
    const grey = style.grey ?? 0;
    for (const r of runs) {
      const ops = this.runOps(r, style.size);
      const px = pen;
      this.page.ops.push((h) => {
        const body = `BT /${ops.resource} ${n(style.size)} Tf ${n(grey)} g\n${ops.draw(px, h - y)}ET\n`;
        return r.face.complex ? `/Span <</ActualText <${utf16Hex(r.text)}>>> BDC\n${body}EMC\n` : body;
      });
      pen += (r.width * style.size) / r.face.sfnt.unitsPerEm;
    }
    return w;
  }

  private runOps(r: ShapedRun, size: number): { resource: string; draw: (x: number, y: number) => string } {
    let use = this.uses.get(r.face);
    if (!use) this.uses.set(r.face, (use = { resource: `F${this.uses.size + 1}`, gids: new Set(), unicode: new Map() }));
    const u = use;
    for (let i = 0; i < r.gids.length; i++) {
      u.gids.add(r.gids[i]);
      if (r.chars[i] && !u.unicode.has(r.gids[i])) u.unicode.set(r.gids[i], r.chars[i]);
    }
    const upm = r.face.sfnt.unitsPerEm;
    const k = size / upm;
    return {
      resource: u.resource,
      draw(x, y) {
        // Segments of glyphs drawn at their pen positions: TJ adjustments carry the shaper's
        // advances (kerning, zero-width marks); a glyph with an offset gets its own Tm.
        let out = '';
        let penX = 0;
        let seg = '';
        const flush = () => {
          if (seg) out += `[${seg}] TJ\n`;
          seg = '';
        };
        for (let i = 0; i < r.gids.length; i++) {
          const gid = r.gids[i].toString(16).padStart(4, '0');
          const dx = r.xOffset[i];
          const dy = r.yOffset[i];
          if (dx || dy) {
            flush();
            out += `1 0 0 1 ${n(x + (penX + dx) * k)} ${n(y + dy * k)} Tm <${gid}> Tj\n`;
          } else {
            if (!seg) out += `1 0 0 1 ${n(x + penX * k)} ${n(y)} Tm\n`;
            seg += `<${gid}>`;
            const adjust = ((r.face.advance(r.gids[i]) - r.xAdvance[i]) * 1000) / upm;
            if (Math.abs(adjust) > 0.01) seg += ` ${n(adjust)} `;
          }
          penX += r.xAdvance[i];
        }
        flush();
        return out;
      },
    };
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 0.5, grey = 0, dash?: [number, number]): void {
    this.page.ops.push((h) => `${n(grey)} G ${n(width)} w ${dash ? `[${dash[0]} ${dash[1]}] 0 d ` : ''}${n(x1)} ${n(h - y1)} m ${n(x2)} ${n(h - y2)} l S${dash ? ' [] 0 d' : ''}\n`);
  }

  /** A rectangle whose top-left corner is (x, y). */
  rect(x: number, y: number, w: number, h: number, o: { fill?: number; stroke?: number; width?: number }): void {
    this.page.ops.push((ph) => {
      let s = `${n(x)} ${n(ph - y - h)} ${n(w)} ${n(h)} re `;
      if (o.fill !== undefined && o.stroke !== undefined) s = `${n(o.fill)} g ${n(o.stroke)} G ${n(o.width ?? 0.5)} w ` + s + 'B';
      else if (o.fill !== undefined) s = `${n(o.fill)} g ` + s + 'f';
      else s = `${n(o.stroke ?? 0)} G ${n(o.width ?? 0.5)} w ` + s + 'S';
      return s + '\n';
    });
  }

  /** A QR code: dark modules as filled rectangles (one per horizontal run), black on white. */
  qr(x: number, y: number, module: number, modules: { size: number; get(row: number, col: number): boolean | number }): void {
    const size = modules.size;
    this.page.ops.push((h) => {
      let s = '0 g\n';
      for (let row = 0; row < size; row++) {
        let col = 0;
        while (col < size) {
          if (!modules.get(row, col)) {
            col++;
            continue;
          }
          const start = col;
          while (col < size && modules.get(row, col)) col++;
          s += `${n(x + start * module)} ${n(h - y - (row + 1) * module)} ${n((col - start) * module)} ${n(module)} re\n`;
        }
      }
      return s + 'f\n';
    });
  }

  /** The finished document. `meta.now` stamps it (the app's clock, not the machine's). */
  async save(meta: { title: string; author: string; subject: string; now: Date }): Promise<Uint8Array> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.setTitle(meta.title, { showInWindowTitleBar: true });
    doc.setAuthor(meta.author);
    doc.setSubject(meta.subject);
    doc.setCreator('MyMedic');
    doc.setProducer('MyMedic (pdf-lib)');
    doc.setCreationDate(meta.now);
    doc.setModificationDate(meta.now);
    doc.setLanguage('en-IN');
    // Print at actual size: an A5 or 80 mm receipt must not be scaled up to the printer's paper.
    doc.catalog.set(PDFName.of('ViewerPreferences'), doc.context.obj({ PrintScaling: 'None', DisplayDocTitle: true }));
    const ctx = doc.context;
    const fontRefs = new Map<string, PDFRef>();
    for (const [face, use] of this.uses) fontRefs.set(use.resource, embedFace(ctx, face, use));
    for (const p of this.pages) {
      const page = doc.addPage([p.width, p.height]);
      const content = p.ops.map((op) => op(p.height)).join('');
      page.node.set(PDFName.of('Contents'), ctx.register(compressed(ctx, Buffer.from(content, 'latin1'))));
      for (const [name, ref] of fontRefs) page.node.setFontDictionary(PDFName.of(name), ref);
    }
    return doc.save({ useObjectStreams: false, objectsPerTick: Infinity, addDefaultPage: false, updateFieldAppearances: false });
  }
}

function compressed(ctx: PDFContext, bytes: Uint8Array, extra: Record<string, number> = {}): PDFRawStream {
  const z = deflateSync(bytes, { level: 6 });
  return PDFRawStream.of(ctx.obj({ Filter: 'FlateDecode', Length: z.length, ...extra }), new Uint8Array(z.buffer, z.byteOffset, z.byteLength));
}

/** A six-letter subset tag derived from the glyphs used, as PDF asks of subset fonts. */
function subsetTag(fontName: string, gids: Iterable<number>): string {
  let h = 2166136261;
  for (let i = 0; i < fontName.length; i++) h = Math.imul(h ^ fontName.charCodeAt(i), 16777619) >>> 0;
  for (const g of gids) h = Math.imul(h ^ g, 16777619) >>> 0;
  let tag = '';
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + (h % 26));
    h = Math.floor(h / 26) + i * 7919;
  }
  return tag;
}

function toUnicodeCMap(unicode: Map<number, string>): string {
  const entries = [...unicode].sort((a, b) => a[0] - b[0]);
  let body = '';
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    body += `${chunk.length} beginbfchar\n`;
    for (const [gid, s] of chunk) body += `<${gid.toString(16).padStart(4, '0')}> <${utf16Hex(s).slice(4)}>\n`;
    body += 'endbfchar\n';
  }
  return (
    '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n' +
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n' +
    '/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n' +
    '1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n' +
    body +
    'endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n'
  );
}

/** A Type0 font (Identity-H, CIDFontType2) with a subset of `face` holding the glyphs used. */
function embedFace(ctx: PDFContext, face: Face, use: FaceUse): PDFRef {
  const gids = [...use.gids].sort((a, b) => a - b);
  const ttf = subsetRetainingIds(face.sfnt, gids);
  const s = face.sfnt;
  const scale = 1000 / s.unitsPerEm;
  const name = `${subsetTag(face.name, gids)}+${face.name}`;
  const fontFile = ctx.register(compressed(ctx, ttf, { Length1: ttf.length }));
  const descriptor = ctx.register(
    ctx.obj({
      Type: 'FontDescriptor',
      FontName: name,
      Flags: 4,
      FontBBox: s.bbox.map((v) => Math.round(v * scale)),
      ItalicAngle: 0,
      Ascent: Math.round(s.ascender * scale),
      Descent: Math.round(s.descender * scale),
      CapHeight: Math.round(s.capHeight * scale),
      StemV: face.bold ? 140 : 80,
      FontFile2: fontFile,
    }),
  );
  // W: runs of consecutive glyph ids share one array.
  const w = PDFArray.withContext(ctx);
  for (let i = 0; i < gids.length; ) {
    const first = gids[i];
    const widths = PDFArray.withContext(ctx);
    while (i < gids.length && gids[i] === first + widths.size()) widths.push(PDFNumber.of(Math.round(face.advance(gids[i++]) * scale)));
    w.push(PDFNumber.of(first));
    w.push(widths);
  }
  const cidFont = ctx.register(
    ctx.obj({
      Type: 'Font',
      Subtype: 'CIDFontType2',
      BaseFont: name,
      CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      W: w,
      CIDToGIDMap: 'Identity',
    }),
  );
  const toUnicode = ctx.register(compressed(ctx, Buffer.from(toUnicodeCMap(use.unicode), 'latin1')));
  return ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: name, Encoding: 'Identity-H', DescendantFonts: [cidFont], ToUnicode: toUnicode }));
}

