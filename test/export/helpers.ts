/**
 * Shared helpers for test/export and test/jobs (not a test file itself): independent readers
 * for what the exporters write (an RFC 4180 CSV parser, an XML well-formedness check), export
 * rows with awkward values, and astropy through Debian's python3 when it is installed.
 */
import { spawnSync } from 'node:child_process';
import type { ExportRow } from '../../src/export/index.js';
import type { ObjectRow } from '../../src/store/index.js';
import { OBJECT_COLUMNS } from '../../src/store/index.js';

export const PYTHON = '/usr/bin/python3';

function pythonHas(module: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

export const HAS_ASTROPY = pythonHas('astropy');
export const HAS_LXML = pythonHas('lxml');
export const SKIP_ASTROPY = HAS_ASTROPY ? false : 'python3-astropy is not installed';

/** Runs python code with `args` as sys.argv[1:]; returns stdout, throws with stderr on failure. */
export function python(code: string, ...args: string[]): string {
  const result = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`python failed (${result.status}):\n${result.stderr}`);
  return result.stdout;
}

/** RFC 4180 parser, written from the RFC (not from src/export): rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      atFieldStart = true;
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
      i += 2;
      continue;
    }
    if (c === '"' || c === '\n' || c === '\r') throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
    field += c;
    atFieldStart = false;
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) throw new Error('last line does not end with CRLF');
  return rows;
}

/**
 * Throws unless `xml` is a well-formed XML 1.0 document as far as elements, attributes, text
 * and entities go: one root, properly nested tags, quoted attributes without raw < or &,
 * and only the five predefined entities or character references.
 */
export function checkWellFormedXml(xml: string): { root: string; elements: number } {
  const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
  const checkText = (text: string, where: string) => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '<') throw new Error(`raw < in ${where}`);
      if (text[i] === '&') {
        ENTITY.lastIndex = i;
        if (!ENTITY.test(text)) throw new Error(`bad entity in ${where}: ${text.slice(i, i + 10)}`);
      }
    }
  };
  let rest = xml;
  const decl = /^<\?xml[^?]*\?>\s*/.exec(rest);
  if (decl) rest = rest.slice(decl[0].length);
  const stack: string[] = [];
  let root = '';
  let elements = 0;
  let at = 0;
  while (at < rest.length) {
    const lt = rest.indexOf('<', at);
    const text = rest.slice(at, lt === -1 ? rest.length : lt);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text.slice(0, 20)}`);
    checkText(text, 'text');
    if (lt === -1) break;
    const gt = rest.indexOf('>', lt);
    if (gt === -1) throw new Error('unclosed tag');
    const tag = rest.slice(lt + 1, gt);
    at = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
      continue;
    }
    const m = /^([A-Za-z_][\w.:-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"]*")*)\s*(\/?)$/.exec(tag);
    if (!m) throw new Error(`malformed tag <${tag.slice(0, 60)}>`);
    for (const a of m[2]!.matchAll(/"([^"]*)"/g)) checkText(a[1]!, `attribute of <${m[1]}>`);
    if (stack.length === 0) {
      if (root) throw new Error('two root elements');
      root = m[1]!;
    }
    elements++;
    if (m[3] !== '/') stack.push(m[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  return { root, elements };
}

/** XML text back to the string it encodes (the five entities and character references). */
export function xmlUnescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
  );
}

/** A catalog row with every column null but the given ones. */
export function objectRow(fields: Partial<ObjectRow> & { id: string; ra: number; dec: number }): ObjectRow {
  const row: Record<string, unknown> = { label: 1, model_id: null, extra: {} };
  for (const c of OBJECT_COLUMNS) row[c.name] = null;
  return { ...row, ...fields } as ObjectRow;
}

/** Rows with text that needs quoting or escaping, nulls, a missing vector and an empty extra. */
export function awkwardRows(dim: number): ExportRow[] {
  const vector = (seed: number) => {
    const v = Float32Array.from({ length: dim }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  return [
    {
      row: objectRow({ id: 'plain-1', ra: 10.5, dec: -2.25, class: 'GALAXY', z: 0.125, is_lens: true, split: 'train', extra: { note: 'ok' } }),
      vectors: { image: vector(1), spectrum: vector(2) },
    },
    {
      row: objectRow({ id: 'comma,quote"new\nline', ra: 359.999, dec: 89.5, class: 'QSO', morph_type: ' leading space', is_lens: false, image_path: 'a,b/c "d".fits' }),
      vectors: { image: vector(3), spectrum: null },
    },
    {
      row: objectRow({ id: 'unicode-é-星', ra: 0, dec: -90, z: null, logmstar: 10.75, extra: { text: 'x<y & "z"\r\n', n: [1, 2] } }),
      vectors: { image: null, spectrum: vector(4) },
    },
  ];
}
