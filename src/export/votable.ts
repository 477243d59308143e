/**
 * VOTable 1.4 documents (TABLEDATA serialization): the IVOA Simple Cone Search answer and the
 * search results of the API, plus the error document both return.
 *
 * Simple Cone Search 1.03 asks for one RESOURCE holding one TABLE whose FIELDs carry UCDs, with
 * the main identifier and position marked; in VOTable 1.2+ UCDs are UCD1+ words, so those are
 * `meta.id;meta.main` (char), `pos.eq.ra;meta.main` and `pos.eq.dec;meta.main` (double,
 * degrees). The RESOURCE starts with INFO QUERY_STATUS = OK (DALI); an error document has
 * QUERY_STATUS = ERROR with the message, and also the VOTABLE-level INFO name="Error" that SCS
 * 1.03 clients look for.
 *
 *   const xml = toVoTable(rows, { resourceName: 'skyclip cone search', description: '…' });
 *   const err = voTableError('RA must be in [0, 360)');
 *
 * Every text goes through XML escaping (& < > " ' and characters XML 1.0 cannot carry at all,
 * which become U+FFFD), so an object id or a message can never break the document.
 */
import { CATALOG_EXPORT_COLUMNS } from './schema.js';

export const VOTABLE_MEDIA_TYPE = 'application/x-votable+xml';
const VOTABLE_NS = 'http://www.ivoa.net/xml/VOTable/v1.3';

export type VoDatatype = 'char' | 'unicodeChar' | 'boolean' | 'short' | 'int' | 'long' | 'float' | 'double';

export interface VoField {
  /** Key of the value in each row object, and the FIELD name. */
  name: string;
  datatype: VoDatatype;
  /** '*' for variable-length text (the default for char/unicodeChar). */
  arraysize?: string;
  unit?: string;
  ucd?: string;
  description?: string;
  /** FIELD ID; defaults to the name when it is a valid XML ID. */
  id?: string;
}

export interface VoTableOptions {
  /** RESOURCE name. */
  resourceName: string;
  /** DESCRIPTION of the RESOURCE. */
  description?: string;
  /** Columns; default: the catalog columns (catalogVoFields()). */
  fields?: readonly VoField[];
  /** Extra INFO elements in the RESOURCE after QUERY_STATUS (e.g. the query's parameters). */
  infos?: ReadonlyArray<{ name: string; value: string; content?: string }>;
  /** TABLE name; default 'results'. */
  tableName?: string;
}

// XML 1.0 Char production: tab, LF, CR, U+0020-U+D7FF, U+E000-U+FFFD, U+10000-U+10FFFF.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an element or a double-quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The catalog's columns (id, ra, dec, labels, paths, extra) as VOTable FIELDs. */
export function catalogVoFields(): VoField[] {
  return CATALOG_EXPORT_COLUMNS.map((c): VoField => ({
    name: c.name,
    // id is char (what SCS clients expect of the main identifier; toVoTable widens it to
    // unicodeChar when an id is not ASCII); other text may hold any character.
    datatype: c.type === 'real' ? 'double' : c.type === 'bool' ? 'boolean' : c.name === 'id' ? 'char' : 'unicodeChar',
    arraysize: c.type === 'text' ? '*' : undefined,
    unit: c.unit,
    ucd: c.ucd,
    description: c.description,
  }));
}

const XML_ID = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const ASCII = /^[\x00-\x7f]*$/;

function attributes(pairs: Array<[string, string | undefined]>): string {
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(v)}"`)
    .join('');
}

function fieldXml(f: VoField): string {
  const text = f.datatype === 'char' || f.datatype === 'unicodeChar';
  const id = f.id ?? (XML_ID.test(f.name) ? f.name : undefined);
  const open = `<FIELD${attributes([
    ['name', f.name],
    ['ID', id],
    ['datatype', f.datatype],
    ['arraysize', f.arraysize ?? (text ? '*' : undefined)],
    ['unit', f.unit],
    ['ucd', f.ucd],
  ])}`;
  return f.description ? `${open}><DESCRIPTION>${xmlEscape(f.description)}</DESCRIPTION></FIELD>` : `${open}/>`;
}

/** One TD's content. Nulls are empty cells (VOTable 1.4 section 6: empty TD of a float/double is NaN, of others null). */
function cellText(value: unknown, field: VoField): string {
  if (value === null || value === undefined) return '';
  switch (field.datatype) {
    case 'boolean':
      return value === true ? 'T' : value === false ? 'F' : '';
    case 'float':
    case 'double':
      return typeof value === 'number' ? (Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value)) : '';
    case 'short':
    case 'int':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'bigint' ? String(value) : '';
    default:
      return xmlEscape(typeof value === 'string' ? value : JSON.stringify(value));
  }
}

function header(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<VOTABLE version="1.4" xmlns="${VOTABLE_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${VOTABLE_NS} http://www.ivoa.net/xml/VOTable/VOTable-1.4.xsd">\n`;
}

/**
 * A VOTable of `rows` (objects keyed by field name; `extra`-like objects become JSON text).
 * One RESOURCE type="results" with INFO QUERY_STATUS=OK and one TABLE of TABLEDATA.
 */
export function toVoTable(rows: ReadonlyArray<Record<string, unknown>>, options: VoTableOptions): string {
  // A char FIELD may only hold ASCII: one that meets other text in these rows becomes unicodeChar.
  const fields = (options.fields ?? catalogVoFields()).map((f) =>
    f.datatype === 'char' && rows.some((r) => typeof r[f.name] === 'string' && !ASCII.test(r[f.name] as string)) ? { ...f, datatype: 'unicodeChar' as const } : f,
  );
  const parts: string[] = [header()];
  parts.push(`<RESOURCE${attributes([['name', options.resourceName], ['type', 'results']])}>\n`);
  if (options.description) parts.push(`<DESCRIPTION>${xmlEscape(options.description)}</DESCRIPTION>\n`);
  parts.push('<INFO name="QUERY_STATUS" value="OK"/>\n');
  for (const info of options.infos ?? []) {
    const open = `<INFO${attributes([['name', info.name], ['value', info.value]])}`;
    parts.push(info.content ? `${open}>${xmlEscape(info.content)}</INFO>\n` : `${open}/>\n`);
  }
  parts.push(`<TABLE${attributes([['name', options.tableName ?? 'results'], ['nrows', String(rows.length)]])}>\n`);
  for (const f of fields) parts.push(fieldXml(f), '\n');
  parts.push('<DATA><TABLEDATA>\n');
  for (const row of rows) {
    parts.push('<TR>');
    for (const f of fields) parts.push('<TD>', cellText(row[f.name], f), '</TD>');
    parts.push('</TR>\n');
  }
  parts.push('</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n');
  return parts.join('');
}

/** The error document: SCS 1.03's VOTABLE-level INFO Error and DALI's QUERY_STATUS=ERROR. */
export function voTableError(message: string): string {
  const text = xmlEscape(String(message));
  return (
    header() +
    `<INFO name="Error" ID="Error" value="${text}"/>\n` +
    `<RESOURCE type="results">\n<INFO name="QUERY_STATUS" value="ERROR">${text}</INFO>\n</RESOURCE>\n</VOTABLE>\n`
  );
}
