/**
 * Capture for replay: every raw payload a process received, compactly on disk, so a later
 * `arbees replay` can feed the same bytes through the same services. Layout (docs/capture.md):
 *
 *   <data dir>/capture/<session>/<service>-<instance>.<source>.ndjson.gz   one line per payload:
 *       [receivedUs, channelIndex, payload]   (payload: the frame or body text, unchanged)
 *   a channel line `{"channel": i, "url": "..."}` precedes the first payload of each channel;
 *   <data dir>/capture/<session>/<service>-<instance>.manifest.json        session start, config,
 *       commit, seed, and per file the payload count, bytes and first/last receive time.
 *
 * gzip (level 1) with a sync flush every `flushMs`, so a kill -9 loses at most that much and the
 * file stays readable up to the cut. Writes are batched off the receive path.
 */
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { setCaptureSink } from './capture-tap.js';

export interface CaptureWriterOptions {
  readonly dir: string;
  readonly session: string;
  readonly service: string;
  readonly instance: string;
  /** Non-secret settings worth replaying with (simulator seed, speed, live mode...). */
  readonly config: Readonly<Record<string, string>>;
  readonly flushMs?: number;
}

interface FileCoverage {
  file: string;
  payloads: number;
  bytes: number;
  firstUs: number | null;
  lastUs: number | null;
  channels: number;
}

interface OpenFile {
  readonly gzip: Gzip;
  readonly out: WriteStream;
  readonly channels: Map<string, number>;
  pending: string[];
  coverage: FileCoverage;
}

const MANIFEST_EVERY_MS = 30_000;

const SECRET_QUERY = /([?&](?:api[_-]?key|key|token|signature|sig|secret|password|auth)[^=&]*=)[^&]*/gi;

export function scrubUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1REDACTED');
}

/** The commit of the checkout this runs from, read from .git without running git; null if unknown. */
export function currentCommit(start = process.cwd()): string | null {
  try {
    let dir = start;
    for (let i = 0; i < 6; i++) {
      const gitPath = path.join(dir, '.git');
      let gitDir: string | null = null;
      try {
        const text = readFileSync(gitPath, 'utf8'); // a worktree: "gitdir: <path>"
        gitDir = text.startsWith('gitdir:') ? path.resolve(dir, text.slice(7).trim()) : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EISDIR') gitDir = gitPath;
      }
      if (gitDir !== null) {
        const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
        if (!head.startsWith('ref:')) return head;
        const ref = head.slice(4).trim();
        for (const base of [gitDir, path.resolve(gitDir, readCommonDir(gitDir))]) {
          try {
            return readFileSync(path.join(base, ref), 'utf8').trim();
          } catch {
            const packed = safeRead(path.join(base, 'packed-refs'));
            const line = packed?.split('\n').find((l) => l.endsWith(` ${ref}`));
            if (line) return line.split(' ')[0] ?? null;
          }
        }
        return null;
      }
      dir = path.dirname(dir);
    }
  } catch {
    // unknown
  }
  return null;
}

function readCommonDir(gitDir: string): string {
  return safeRead(path.join(gitDir, 'commondir'))?.trim() ?? '.';
}

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

const REPLAY_SETTINGS = /^ARBEES_(SIM_[A-Z_]+|LIVE|SERVICES|HOT_TRANSPORT|CODEC|ZMQ_TRANSPORT)$/;

/** The settings a replay needs to reproduce the session (the simulator's seed among them); no secrets. */
export function captureConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (REPLAY_SETTINGS.test(k) && v !== undefined) out[k] = v;
  return out;
}

export class CaptureWriter {
  readonly sessionDir: string;
  private readonly files = new Map<string, OpenFile>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedUs = Date.now() * 1000;
  private closed = false;
  private manifestAtMs = 0;

  constructor(private readonly o: CaptureWriterOptions) {
    this.sessionDir = path.join(o.dir, o.session);
    mkdirSync(this.sessionDir, { recursive: true });
    this.timer = setInterval(() => this.flush(), o.flushMs ?? 1_000);
    this.timer.unref();
  }

  /** Installs this writer as the process's capture sink. */
  install(): this {
    setCaptureSink((source, channel, payload, receivedUs) => this.write(source, channel, payload, receivedUs));
    return this;
  }

  write(source: 'ws' | 'http', channel: string, payload: string, receivedUs: number): void {
    if (this.closed) return;
    const f = this.file(source);
    let index = f.channels.get(channel);
    if (index === undefined) {
      index = f.channels.size;
      f.channels.set(channel, index);
      f.coverage.channels = f.channels.size;
      f.pending.push(JSON.stringify({ channel: index, url: scrubUrl(channel) }));
    }
    f.pending.push(`[${receivedUs},${index},${JSON.stringify(payload)}]`);
    f.coverage.payloads += 1;
    f.coverage.bytes += payload.length;
    f.coverage.firstUs ??= receivedUs;
    f.coverage.lastUs = receivedUs;
  }

  /** Hands buffered lines to gzip and syncs the compressed stream to the file. */
  flush(): void {
    for (const f of this.files.values()) {
      if (f.pending.length === 0) continue;
      f.gzip.write(f.pending.join('\n') + '\n');
      f.pending = [];
      f.gzip.flush(constants.Z_SYNC_FLUSH);
    }
    // The coverage on disk stays at most this old, also after a kill -9.
    if (this.files.size > 0 && Date.now() - this.manifestAtMs >= MANIFEST_EVERY_MS) this.writeManifest();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    setCaptureSink(null);
    await Promise.all([...this.files.values()].map((f) => new Promise<void>((resolve) => {
      f.out.once('close', () => resolve());
      f.gzip.end();
    })));
    this.writeManifest();
  }

  private file(source: string): OpenFile {
    let f = this.files.get(source);
    if (f === undefined) {
      const name = `${this.o.service}-${this.o.instance}.${source}.ndjson.gz`;
      const gzip = createGzip({ level: 1 });
      const out = createWriteStream(path.join(this.sessionDir, name));
      gzip.pipe(out);
      f = { gzip, out, channels: new Map(), pending: [], coverage: { file: name, payloads: 0, bytes: 0, firstUs: null, lastUs: null, channels: 0 } };
      this.files.set(source, f);
      this.manifestAtMs = 0; // a new file shows in the manifest at the next flush
    }
    return f;
  }

  /** Written only by processes that captured something (a recorder or a tracker has nothing to replay). */
  private writeManifest(): void {
    if (this.files.size === 0) return;
    this.manifestAtMs = Date.now();
    const manifest = {
      format: 'arbees-capture/1',
      session: this.o.session,
      service: this.o.service,
      instance: this.o.instance,
      startedUs: this.startedUs,
      closedUs: this.closed ? Date.now() * 1000 : null,
      commit: currentCommit(),
      seed: this.o.config.ARBEES_SIM_SEED ?? null,
      config: this.o.config,
      files: [...this.files.values()].map((f) => f.coverage),
    };
    writeFileSync(path.join(this.sessionDir, `${this.o.service}-${this.o.instance}.manifest.json`), JSON.stringify(manifest, null, 2) + '\n');
  }
}
