import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ArbeesError } from '../src/core/errors.js';
import { cellNumber, cellText, CsvTable, parseCsv } from './csv-table.js';

const quote = (s: string) => (/[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);

describe('CSV reader', () => {
  it('reads quoted fields, doubled quotes, CRLF and NA', () => {
    const t = CsvTable.parse('a,b,c\r\n1,"x, ""y""",NA\r\n2,,"multi\nline"\n');
    expect(t.header).toEqual(['a', 'b', 'c']);
    expect(t.rows[0]).toEqual(['1', 'x, "y"', 'NA']);
    expect(cellText(t.rows[0]!, t.column('c'))).toBeNull();
    expect(cellNumber(t.rows[1]!, t.column('a'))).toBe(2);
    expect(cellNumber(t.rows[1]!, t.column('b'))).toBeNull();
    expect(t.rows[1]![2]).toBe('multi\nline');
  });

  it('round-trips any table written with standard quoting', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 10 }), (rows) => {
        const text = rows.map((r) => r.map(quote).join(',')).join('\n');
        expect(parseCsv(text)).toEqual(rows);
      }),
    );
  });

  it('reads .csv.gz files and reports a missing file or column with ARB_EVAL_DATA', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-'));
    const path = join(dir, 't.csv.gz');
    writeFileSync(path, gzipSync('x,y\n1,2\n'));
    const t = CsvTable.fromFile(path);
    expect(cellNumber(t.rows[0]!, t.column('y'))).toBe(2);
    expect(() => t.column('z')).toThrow(ArbeesError);
    expect(() => CsvTable.fromFile(join(dir, 'missing.csv'))).toThrow(/ARB_EVAL_DATA/);
  });
});
