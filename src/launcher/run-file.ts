/**
 * The supervisor's run files in `<data dir>/run/`: `up.lock` (created exclusively, holds the
 * supervisor's pid, so two `arbees up` never share one data dir) and `up.json` (what runs where:
 * Redis, Postgres, every child's pid, rewritten on each change). Tools and tests read up.json;
 * a supervisor that died without cleaning up leaves them behind, and the next one uses them to
 * stop what is left before it starts.
 */
import { mkdirSync, openSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { ArbeesError } from '../core/errors.js';
import type { ChildState } from './managed-child.js';
import { pidRuns } from './process-utils.js';

export interface UpChildState {
  name: string;
  service: string;
  instance: string;
  pid: number | null;
  state: ChildState;
  restarts: number;
}

export interface UpState {
  supervisorPid: number;
  startedAt: string;
  dataDir: string;
  redis: { url: string; source: 'env' | 'local' | 'private'; pid: number | null } | null;
  postgres: { url: string; source: 'env' | 'embedded'; pid: number | null } | null;
  children: UpChildState[];
}

export class RunFile {
  readonly dir: string;
  readonly lockPath: string;
  readonly statePath: string;
  private owned = false;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'run');
    this.lockPath = path.join(this.dir, 'up.lock');
    this.statePath = path.join(this.dir, 'up.json');
  }

  /**
   * Takes the lock. Returns the state a dead supervisor left behind (to clean up after), or null.
   * Throws ARB_SUPERVISOR when a live supervisor holds the data dir.
   */
  acquire(): UpState | null {
    mkdirSync(this.dir, { recursive: true });
    let stale: UpState | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.lockPath, 'wx');
        writeFileSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.owned = true;
        return stale;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number(readFileOr(this.lockPath, '').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidRuns(holder, 'up')) {
        throw new ArbeesError(
          'ARB_SUPERVISOR',
          `another arbees up (pid ${holder}) is running with the data dir ${path.dirname(this.dir)}; stop it first or set ARBEES_DATA_DIR`,
        );
      }
      stale = this.read();
      unlinkQuiet(this.lockPath);
    }
    throw new ArbeesError('ARB_SUPERVISOR', `cannot take the lock ${this.lockPath}`);
  }

  read(): UpState | null {
    try {
      return JSON.parse(readFileSync(this.statePath, 'utf8')) as UpState;
    } catch {
      return null;
    }
  }

  /** Atomic rewrite (write + rename), so a reader never sees half a file. */
  write(state: UpState): void {
    if (!this.owned) return;
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
    renameSync(tmp, this.statePath);
  }

  /** Removes the run files this supervisor wrote (and the run dir when nothing else is in it). */
  remove(): void {
    if (!this.owned) return;
    unlinkQuiet(this.statePath);
    unlinkQuiet(this.lockPath);
    this.owned = false;
    try {
      rmdirSync(this.dir);
    } catch {
      // not empty: ipc sockets of other tools, keep it
    }
  }
}

function readFileOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
