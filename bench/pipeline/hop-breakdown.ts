/**
 * Tick-to-trade and its hops, from what the measuring subscriber heard (signals and trades with
 * their envelope times), what execution_service wrote in its audit stream (when it took each
 * signal), and when the feeder put each episode out of line. All clocks are nowMicros() on one
 * host. For every completed trade of a signal:
 *
 *   venue -> monitor   origin_ts - feeder's out-of-line time (WebSocket send + monitor receipt)
 *   monitor -> shard   signal.created_ts - origin_ts (monitor's share, hot hop, shard decode)
 *   in shard           signal envelope ts - created_ts
 *   shard -> exec      execution's signal_received audit ts - signal envelope ts (hot hop, decode)
 *   in exec            decided_ts - signal_received (claim, plan, write-ahead, fills: Redis round trips)
 *   exec -> meter      receive - trade envelope ts (hot hop)
 *   tick-to-trade      receive - origin_ts: the whole path from the venue frame's receipt
 */
import { LatencyHistogram, type LatencySummary } from '../common/latency-histogram.js';
import type { SignalSample, TradeSample } from './trade-meter-worker.js';
import type { EpisodeMark } from './venue-feeder-worker.js';

export const HOPS = ['venue_to_monitor', 'monitor_to_shard', 'in_shard', 'shard_to_exec', 'in_exec', 'exec_to_meter'] as const;
export type Hop = (typeof HOPS)[number];

export interface PipelineLatency {
  tickToTrade: LatencySummary;
  /** Only trades that filled (fully or partly). */
  tickToTradeFilled: LatencySummary;
  /** decided_ts - origin_ts: to the decision, without the last hop. */
  tickToDecision: LatencySummary;
  hops: Record<Hop, LatencySummary>;
  trades: number;
  byStatus: Record<string, number>;
  /** Rejection and no-fill reasons, by their code (the text before the first colon). */
  reasons: Record<string, number>;
  /** The first full reason text seen for each code. */
  reasonSamples: Record<string, string>;
  exits: number;
  signals: number;
  /** Trades whose signal the meter did not hear, or that execution did not audit as received. */
  unmatched: { signal: number; audit: number; episode: number };
}

export interface BreakdownInput {
  signals: readonly SignalSample[];
  trades: readonly TradeSample[];
  /** signal id -> execution's signal_received time. */
  execReceived: ReadonlyMap<string, number>;
  episodes: readonly EpisodeMark[];
  /** Trades caused by prices before this (warm-up stragglers) are left out. */
  windowStartUs: number;
}

const reasonCode = (reason: string | null): string => {
  if (reason === null || reason === '') return 'none';
  const colon = reason.indexOf(':');
  return (colon > 0 ? reason.slice(0, colon) : reason).slice(0, 60);
};

export function breakDown(input: BreakdownInput): PipelineLatency {
  const signalById = new Map(input.signals.map((s) => [s.signalId, s]));
  const episodesByGame = new Map<string, number[]>();
  for (const e of input.episodes) {
    const list = episodesByGame.get(e.gameId) ?? [];
    list.push(e.outUs);
    episodesByGame.set(e.gameId, list);
  }
  const t2t = new LatencyHistogram();
  const t2tFilled = new LatencyHistogram();
  const t2d = new LatencyHistogram();
  const hops = Object.fromEntries(HOPS.map((h) => [h, new LatencyHistogram()])) as Record<Hop, LatencyHistogram>;
  const byStatus: Record<string, number> = {};
  const reasons: Record<string, number> = {};
  const reasonSamples: Record<string, string> = {};
  const unmatched = { signal: 0, audit: 0, episode: 0 };
  let trades = 0;
  let exits = 0;

  for (const t of input.trades) {
    if (t.originUs < input.windowStartUs) continue;
    if (t.source === 'exit') {
      exits++;
      continue;
    }
    trades++;
    byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    if (t.status !== 'filled') {
      const code = reasonCode(t.reason);
      reasons[code] = (reasons[code] ?? 0) + 1;
      reasonSamples[code] ??= (t.reason ?? '').slice(0, 300);
    }
    t2t.record(t.recvUs - t.originUs);
    if (t.status === 'filled' || t.status === 'partial') t2tFilled.record(t.recvUs - t.originUs);
    t2d.record(t.decidedUs - t.originUs);
    hops.exec_to_meter.record(t.recvUs - t.tsUs);

    const outUs = latestBefore(episodesByGame.get(t.gameId), t.originUs);
    if (outUs === null) unmatched.episode++;
    else hops.venue_to_monitor.record(t.originUs - outUs);

    const s = signalById.get(t.sourceId);
    if (s === undefined) {
      unmatched.signal++;
      continue;
    }
    hops.monitor_to_shard.record(s.createdUs - s.originUs);
    hops.in_shard.record(s.tsUs - s.createdUs);
    const execUs = input.execReceived.get(t.sourceId);
    if (execUs === undefined) {
      unmatched.audit++;
      continue;
    }
    hops.shard_to_exec.record(execUs - s.tsUs);
    hops.in_exec.record(t.decidedUs - execUs);
  }

  return {
    tickToTrade: t2t.summary(),
    tickToTradeFilled: t2tFilled.summary(),
    tickToDecision: t2d.summary(),
    hops: Object.fromEntries(HOPS.map((h) => [h, hops[h].summary()])) as Record<Hop, LatencySummary>,
    trades,
    byStatus,
    reasons,
    reasonSamples,
    exits,
    signals: input.signals.filter((s) => s.originUs >= input.windowStartUs).length,
    unmatched,
  };
}

/** The latest time in `times` at or before `atUs`, within a second (an episode is shorter). */
function latestBefore(times: number[] | undefined, atUs: number): number | null {
  if (times === undefined) return null;
  let best: number | null = null;
  for (const t of times) if (t <= atUs && (best === null || t > best)) best = t;
  return best !== null && atUs - best <= 1_000_000 ? best : null;
}
