/**
 * `arbees ledger status` and `arbees ledger confirm`: what the durable ledger looks like in Redis
 * (epoch, the ends of the durable streams, the kill switch, Redis's persistence settings), what
 * each service's own record in the data dir says about it (intact, or what was lost), and the
 * operator's acceptance of the ledger as it is now after a loss (src/runtime/ledger-guard.ts):
 * a new epoch, which the halted services take within one check, and the ledger's kill switch off.
 */
import { hostname, userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { judgeLedger, LEDGER_HALT_PREFIX, type LedgerEpoch, type LedgerVerdict } from '../core/ledger-continuity.js';
import { killSwitchValueIsOn } from '../core/kill-switch-value.js';
import { SlowKey } from '../core/slow-keys.js';
import { baseConfigSpec } from '../runtime/base-config.js';
import { loadConfig } from '../runtime/config.js';
import { LedgerProbe } from '../runtime/ledger-probe.js';
import { LedgerRecordFile } from '../runtime/ledger-record-file.js';
import { scrubString } from '../runtime/logger.js';
import { openPool } from '../store/pg-pool.js';
import { checkHistory, historyUrl } from './ledger-history-check.js';
import { restoreLedger } from './ledger-restore.js';
import { connectCliRedis, redisUrlFor } from './status-report.js';

const USAGE = `usage:
  arbees ledger status [--prefix P]            the ledger in Redis, each service's record of it, Redis persistence
  arbees ledger confirm [--prefix P] [--note TEXT] [--keep-halted]
                                               accept the ledger as it is now after a loss: halted services
                                               rebuild from it; the ledger's kill switch goes off (not with --keep-halted)
  arbees ledger restore [--prefix P] [--keep-halted]
                                               put back the trades and settlements the recorder's Postgres holds and
                                               Redis lost (DATABASE_URL or the running arbees up), then as confirm`;

interface LedgerArgs {
  readonly sub: 'status' | 'confirm' | 'restore';
  readonly prefix: string;
  readonly note: string;
  readonly keepHalted: boolean;
}

export function parseLedgerArgs(argv: readonly string[]): LedgerArgs {
  const [sub, ...rest] = argv;
  if (sub !== 'status' && sub !== 'confirm' && sub !== 'restore') throw new Error(USAGE);
  let prefix = '';
  let note = '';
  let keepHalted = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--prefix' && rest[i + 1] !== undefined) prefix = rest[++i]!;
    else if (a === '--note' && rest[i + 1] !== undefined) note = rest[++i]!;
    else if (a === '--keep-halted') keepHalted = true;
    else throw new Error(`unknown argument ${JSON.stringify(a)}\n${USAGE}`);
  }
  return { sub, prefix, note, keepHalted };
}

/** Runs the command; returns the exit code (1: a service's record says data was lost, for status). */
export async function runLedger(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: (line: string) => void = (l) => void process.stdout.write(l + '\n')): Promise<number> {
  const args = parseLedgerArgs(argv);
  const url = redisUrlFor(env);
  const redis = await connectCliRedis(url);
  if (redis === null) {
    out(`arbees ledger: no Redis at ${scrubString(url, [])}; set REDIS_URL or ARBEES_DATA_DIR`);
    return 2;
  }
  try {
    const dataDir = loadConfig({ dataDir: baseConfigSpec.dataDir }, env).dataDir;
    const report = new LedgerReport(redis, args.prefix, dataDir);
    const lost = await report.print(out);
    // Informational: after a confirmed loss Postgres keeps the trades Redis lost, for good.
    const history = await checkHistory(historyUrl(env, dataDir), await report.probe.mark(args.prefix + SlowKey.tradesCompleted), args.prefix + SlowKey.tradesCompleted);
    for (const line of history.lines) out(line);
    if (args.sub === 'status') return lost ? 1 : 0;
    if (args.sub === 'restore') return await restore(redis, historyUrl(env, dataDir), args, out);
    return await confirm(redis, report.probe, args, out);
  } finally {
    redis.disconnect();
  }
}

async function confirm(redis: Redis, probe: LedgerProbe, args: LedgerArgs, out: (line: string) => void): Promise<number> {
  const who = `${safeUser()}@${hostname()}`;
  const previous = await probe.epoch();
  const note = `confirmed by ${who}${args.note ? `: ${args.note}` : ''} (previous epoch ${previous?.id ?? 'none'})`;
  const epoch = await probe.replaceEpoch('confirmed', note);
  out('');
  out(`confirmed: new ledger epoch ${epoch.id}; services halted on the ledger rebuild from it as it is now at their next check (ARBEES_LEDGER_CHECK_MS, 2 s)`);
  await liftLedgerHalt(redis, args, out);
  return 0;
}

async function restore(redis: Redis, url: string | null, args: LedgerArgs, out: (line: string) => void): Promise<number> {
  if (url === null) {
    out('arbees ledger restore: no Postgres to restore from (set DATABASE_URL, or run it while arbees up serves its Postgres)');
    return 2;
  }
  const pool = openPool(url, { max: 1, connectTimeoutMs: 5_000 });
  try {
    const result = await restoreLedger(redis, pool, args.prefix);
    out('');
    if (result.refused !== null) {
      out(`restore refused, nothing written: ${result.refused}`);
      return 1;
    }
    out(`restored ${result.trades} trades and ${result.settlements} settlements from Postgres (settlements placed after the last trade before their time); new epoch written: halted services rebuild at their next check`);
  } finally {
    await pool.end().catch(() => {});
  }
  await liftLedgerHalt(redis, args, out);
  return 0;
}

/** Turns off a kill switch the ledger guard set (never an operator's own). */
async function liftLedgerHalt(redis: Redis, args: LedgerArgs, out: (line: string) => void): Promise<void> {
  const killKey = args.prefix + SlowKey.killSwitch;
  const value = await redis.get(killKey);
  if (value !== null && value.startsWith(LEDGER_HALT_PREFIX)) {
    if (args.keepHalted) out(`kill switch left ON (${killKey} = ${JSON.stringify(value)}); turn it off when ready: redis-cli SET ${killKey} off`);
    else {
      await redis.set(killKey, 'off');
      out(`kill switch ${killKey} off (it held the ledger halt)`);
    }
  } else if (killSwitchValueIsOn(value)) {
    out(`kill switch stays ON (${JSON.stringify(value)}): not set by the ledger guard`);
  }
}

/** The status lines; true when some service's record says Redis lost data. */
class LedgerReport {
  readonly probe: LedgerProbe;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly dataDir: string,
  ) {
    this.probe = new LedgerProbe(redis, prefix + SlowKey.ledgerEpoch);
  }

  async print(out: (line: string) => void): Promise<boolean> {
    const epoch = await this.probe.epoch();
    out(`ledger epoch  ${epoch === null ? 'NONE (never written, or Redis lost it)' : describeEpoch(epoch)}`);
    out(`redis         ${await this.persistence()}`);
    const kill = await this.redis.get(this.prefix + SlowKey.killSwitch);
    out(`kill switch   ${killSwitchValueIsOn(kill) ? `ON (${kill})` : 'off'}`);
    const streams = [SlowKey.tradesCompleted, SlowKey.positionsSettlements, SlowKey.positionsClosed].map((k) => this.prefix + k);
    out('streams');
    for (const [key, m] of Object.entries(await this.probe.marks(streams))) {
      out(`  ${key.padEnd(28)} length ${String(m.length).padStart(7)}  ever added ${String(m.entriesAdded).padStart(7)}  last id ${m.lastId}`);
    }
    return this.printRecords(epoch, out);
  }

  private async printRecords(epoch: LedgerEpoch | null, out: (line: string) => void): Promise<boolean> {
    const files = LedgerRecordFile.all(this.dataDir);
    out(`service records in ${this.dataDir}/ledger${files.length === 0 ? ': none' : ''}`);
    let lost = false;
    for (const file of files) {
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      let verdict: LedgerVerdict;
      try {
        const record = file.read();
        if (record === null) continue;
        if ((record.epochKey ?? SlowKey.ledgerEpoch) !== this.probe.epochKey) continue; // another key prefix
        verdict = judgeLedger(record, epoch, await this.probe.marks(Object.keys(record.streams)));
      } catch (err) {
        out(`  ${name}: unreadable (${(err as Error).message})`);
        lost = true;
        continue;
      }
      if (verdict.kind === 'lost') {
        lost = true;
        out(`  ${name}: LOST`);
        for (const p of verdict.problems) out(`      ${p}`);
      } else out(`  ${name}: ${verdict.kind === 'accepted' ? 'will accept the confirmed epoch' : 'intact'}`);
    }
    if (lost) out('Redis lost ledger data these services saw. Restore Redis (its AOF/replica) if you can; else accept the ledger as it is: arbees ledger confirm');
    return lost;
  }

  /** Redis's persistence settings, with what is wrong for live trading. */
  private async persistence(): Promise<string> {
    try {
      const values = (await this.redis.call('CONFIG', 'GET', '*')) as string[];
      const get = (name: string) => values[values.indexOf(name) + 1] ?? '?';
      const settings = `appendonly ${get('appendonly')}, appendfsync ${get('appendfsync')}, maxmemory-policy ${get('maxmemory-policy')}`;
      const warnings = persistenceWarnings(get('appendonly'), get('maxmemory-policy'));
      return warnings.length === 0 ? settings : `${settings}  WARNING: ${warnings.join('; ')}`;
    } catch {
      return 'persistence unknown (CONFIG GET refused; make sure AOF is on and maxmemory-policy is noeviction)';
    }
  }
}

export function persistenceWarnings(appendonly: string, policy: string): string[] {
  const out: string[] = [];
  if (appendonly !== 'yes') out.push('AOF is off: a restart can lose the ledger (appendonly yes, appendfsync everysec)');
  if (policy !== 'noeviction') out.push(`maxmemory-policy ${policy} can evict ledger keys (use noeviction)`);
  return out;
}

function describeEpoch(e: LedgerEpoch): string {
  return `${e.id} (${e.origin}, ${new Date(e.createdUs / 1000).toISOString()}${e.note ? `: ${e.note}` : ''})`;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
