/**
 * Turns a child's output lines into `name | line`, coloured per child. Pino JSON lines are shown
 * compactly (time, level, message, the remaining fields as key=value) unless raw JSON was asked
 * for; anything else (a stack trace, redis-server's own log) passes through as it is.
 */
export interface ChildLogFormatterOptions {
  /** Shown before every line, e.g. `zmq_listener.0`. */
  name: string;
  /** Width the name is padded to, so columns line up across children. */
  width?: number;
  colorIndex?: number;
  color: boolean;
  format: 'pretty' | 'json';
}

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const PALETTE = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[96m', '\x1b[95m', '\x1b[93m', '\x1b[92m', '\x1b[94m'];
const LEVELS: Readonly<Record<number, { label: string; color: string }>> = {
  10: { label: 'TRACE', color: '\x1b[90m' },
  20: { label: 'DEBUG', color: '\x1b[90m' },
  30: { label: 'INFO ', color: '\x1b[32m' },
  40: { label: 'WARN ', color: '\x1b[33m' },
  50: { label: 'ERROR', color: '\x1b[31m' },
  60: { label: 'FATAL', color: '\x1b[41m\x1b[97m' },
};
/** Pino's bookkeeping fields, already shown or not worth a column. */
const HIDDEN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);
const MAX_FIELD_CHARS = 160;

export class ChildLogFormatter {
  private readonly prefix: string;

  constructor(private readonly options: ChildLogFormatterOptions) {
    const padded = options.name.padEnd(options.width ?? options.name.length);
    const colour = PALETTE[(options.colorIndex ?? 0) % PALETTE.length]!;
    this.prefix = options.color ? `${colour}${padded} |${RESET} ` : `${padded} | `;
  }

  format(line: string): string {
    if (this.options.format === 'pretty') {
      const pretty = this.prettyPino(line);
      if (pretty !== null) return this.prefix + pretty;
    }
    return this.prefix + line;
  }

  private prettyPino(line: string): string | null {
    if (!line.startsWith('{')) return null;
    let rec: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
      rec = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
    if (typeof rec.level !== 'number' || typeof rec.time !== 'number') return null;
    const date = new Date(rec.time);
    if (Number.isNaN(date.getTime())) return null;
    const level = LEVELS[rec.level] ?? { label: `L${rec.level}`.padEnd(5), color: '' };
    const time = date.toISOString().slice(11, 23);
    const msg = typeof rec.msg === 'string' ? rec.msg : '';
    const fields = Object.entries(rec)
      .filter(([k]) => !HIDDEN_FIELDS.has(k))
      .map(([k, v]) => `${k}=${fieldText(v)}`)
      .join(' ');
    const c = this.options.color;
    const head = c ? `${DIM}${time}${RESET} ${level.color}${level.label}${RESET}` : `${time} ${level.label}`;
    const tail = fields === '' ? '' : c ? ` ${DIM}${fields}${RESET}` : ` ${fields}`;
    return `${head} ${msg}${tail}`;
  }
}

function fieldText(v: unknown): string {
  const s = typeof v === 'string' ? (/[\s"=]/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v) ?? String(v);
  return s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s;
}
