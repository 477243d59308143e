/**
 * A small RFC 4180 CSV reader for user catalogs: quoted fields with doubled quotes, commas and
 * newlines inside quotes, CRLF or LF line ends, a UTF-8 byte-order mark. Cells stay strings;
 * typing them is the caller's business (src/ingest/source.ts knows the column types). Blank
 * lines are skipped. An unterminated quote is a BAD_INPUT error naming the line it opened on.
 *
 *   const { header, rows } = parseCsv(text, 'catalog.csv');  // rows[i].line = 1-based line number
 */
import { badInput } from '../util/errors.js';

export interface CsvRow {
  /** Line on which the record starts (1 = the header). */
  line: number;
  cells: string[];
}

export interface CsvTable {
  header: string[];
  rows: CsvRow[];
}

/** Parses CSV text; `source` names the file in errors. */
export function parseCsv(text: string, source: string): CsvTable {
  const records: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  let started = false; // the current record has a character (so "a\n" is one record, "\n" none)
  const endRecord = () => {
    if (started) records.push({ line: recordLine, cells: [...cells, cell] });
    cells = [];
    cell = '';
    started = false;
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (!started) {
      recordLine = line;
    }
    if (ch === '"') {
      quoted = true;
      quoteLine = line;
      started = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
      started = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else {
      cell += ch;
      started = true;
    }
  }
  if (quoted) throw badInput(`${source}: a quoted field opened on line ${quoteLine} is never closed`);
  endRecord();
  if (records.length === 0) return { header: [], rows: [] };
  const [head, ...rows] = records;
  return { header: head.cells.map((h) => h.trim()), rows };
}
