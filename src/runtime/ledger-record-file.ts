/**
 * A service's own record of the ledger (ledger-continuity.ts), kept in its data dir and never in
 * Redis: the one thing a Redis that lost data cannot take with it. Written atomically (temp file
 * + rename), so a kill -9 leaves the old record or the new one, never half of one.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LedgerRecord } from '../core/ledger-continuity.js';

export const LEDGER_RECORD_DIR = 'ledger';

export class LedgerRecordFile {
  constructor(readonly path: string) {}

  /** `<data dir>/ledger/<service>.<instance>[.<key prefix>].json` */
  static forService(dataDir: string, service: string, instance: string, keyPrefix: string): LedgerRecordFile {
    const prefix = keyPrefix === '' ? '' : `.${keyPrefix.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    return new LedgerRecordFile(path.join(dataDir, LEDGER_RECORD_DIR, `${service}.${instance}${prefix}.json`));
  }

  /** Every record file in a data dir (for `arbees ledger status`). */
  static all(dataDir: string): LedgerRecordFile[] {
    const dir = path.join(dataDir, LEDGER_RECORD_DIR);
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => new LedgerRecordFile(path.join(dir, f)));
    } catch {
      return [];
    }
  }

  /** The record, or null when there is none. An unreadable file throws: it is not "no record". */
  read(): LedgerRecord | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const value = JSON.parse(text) as Partial<LedgerRecord>;
    if (typeof value.epoch !== 'string' || typeof value.savedUs !== 'number' || typeof value.streams !== 'object' || value.streams === null) {
      throw new Error(`${this.path} is not a ledger record`);
    }
    return value as LedgerRecord;
  }

  write(record: LedgerRecord): void {
    mkdirSync(path.dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
    renameSync(tmp, this.path);
  }
}
