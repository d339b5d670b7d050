/**
 * A small CSV reader for the evaluation data: RFC 4180 quoting ("a, b" and doubled quotes),
 * CRLF or LF line ends, gzip by file extension, and `NA` / empty read as missing.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ArbeesError } from '../src/core/errors.js';

export class CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(header: string[], rows: string[][]) {
    this.header = header;
    this.rows = rows;
    this.index = new Map(header.map((h, i) => [h, i]));
  }

  static fromFile(path: string): CsvTable {
    let text: string;
    try {
      const raw = readFileSync(path);
      text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    } catch (err) {
      throw new ArbeesError('ARB_EVAL_DATA', `cannot read ${path}: ${(err as Error).message}`, { path });
    }
    return CsvTable.parse(text);
  }

  static parse(text: string): CsvTable {
    const records = parseCsv(text);
    const header = records.shift();
    if (!header || header.length === 0) throw new ArbeesError('ARB_EVAL_DATA', 'CSV without a header row');
    return new CsvTable(header, records);
  }

  column(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new ArbeesError('ARB_EVAL_DATA', `CSV has no column ${name}`, { column: name });
    return i;
  }
}

/** The cell as text, or null for a missing cell, an empty cell or NA. */
export function cellText(row: readonly string[], col: number): string | null {
  const v = row[col];
  return v === undefined || v === '' || v === 'NA' ? null : v;
}

/** The cell as a finite number, or null. */
export function cellNumber(row: readonly string[], col: number): number | null {
  const t = cellText(row, col);
  if (t === null) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Splits CSV text into records of fields. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      field = '';
      if (!(row.length === 1 && row[0] === '')) out.push(row);
      row = [];
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else {
      field += ch;
    }
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    out.push(row);
  }
  return out;
}
