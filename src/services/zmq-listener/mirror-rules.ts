/**
 * Where each hot topic lands on the slow track (docs/architecture.md section 3). Pure routing: a topic in,
 * the capped stream it is appended to and the latest-state key it overwrites (if any) out.
 * Every topic gets a stream, so nothing hot is silently ignored; key names come only from
 * SlowKey, and keys owned by other services are never produced.
 */
import { GAME_LATEST_TTL_S, SlowKey } from '../../core/slow-keys.js';
import type { MessageType } from '../../core/messages.js';
import { parseTopic, sequenceKey } from '../../core/topics.js';

export interface MirrorLimits {
  pricesMaxLen: number;
  gameEventsMaxLen: number;
  signalsMaxLen: number;
  mirrorMaxLen: number;
}

export type LatestTarget =
  | { kind: 'price_hash'; key: string }
  | { kind: 'game_json'; key: string; ttlS: number };

export interface MirrorRoute {
  stream: string;
  maxLen: number;
  latest: LatestTarget | null;
  /** False when the topic could not name a stream of its own and went to the catch-all. */
  routed: boolean;
  /** The publisher's sequence key of the topic (core/topics.ts): its seqs count up per key. */
  seqKey: string;
  /** The message types this topic may carry onto its stream; null: any known type. */
  types: readonly MessageType[] | null;
}

const PRICE_TYPES: readonly MessageType[] = ['price'];
const GAME_TYPES: readonly MessageType[] = ['game_info', 'game_state'];
/** `signals:trades` is read as the signal log: nothing else may land in it. */
const SIGNAL_TYPES: readonly MessageType[] = ['trade_signal', 'high_edge_signal', 'exit_signal'];

/** Family names that become key segments: dot-separated plain words, bounded length. */
const FAMILY_PATTERN = /^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$/;
const MAX_FAMILY_LENGTH = 120;
export const UNROUTED_FAMILY = 'unrouted';

/** Written only by their owners (execution_service, position_tracker); never by the bridge. */
export function isReservedKey(key: string): boolean {
  return (
    key === SlowKey.tradesCompleted ||
    key === SlowKey.positionsOpen ||
    key === SlowKey.positionsClosed ||
    key.startsWith('positions:') ||
    key === SlowKey.killSwitch ||
    key === SlowKey.bridgeStatus ||
    key.startsWith('registry:') ||
    key.startsWith('bridge:')
  );
}

export function routeTopic(topic: string, limits: MirrorLimits): MirrorRoute {
  return { ...streamRoute(topic, limits), seqKey: sequenceKey(topic) };
}

function streamRoute(topic: string, limits: MirrorLimits): Omit<MirrorRoute, 'seqKey'> {
  const parsed = parseTopic(topic);
  switch (parsed.kind) {
    case 'price':
      return {
        stream: SlowKey.pricesStream(parsed.venue),
        maxLen: limits.pricesMaxLen,
        latest: { kind: 'price_hash', key: SlowKey.latestPrice(parsed.venue, parsed.marketId) },
        routed: true,
        types: PRICE_TYPES,
      };
    case 'game':
      return {
        stream: SlowKey.gameEvents,
        maxLen: limits.gameEventsMaxLen,
        latest: { kind: 'game_json', key: SlowKey.gameLatest(parsed.sport, parsed.gameId), ttlS: GAME_LATEST_TTL_S },
        routed: true,
        types: GAME_TYPES,
      };
    default:
      if (topic.startsWith('signals.')) {
        return { stream: SlowKey.signalsStream, maxLen: limits.signalsMaxLen, latest: null, routed: true, types: SIGNAL_TYPES };
      }
      return familyRoute(topic, limits);
  }
}

/** Anything else: its own capped stream named after its family (topic minus its last part). */
function familyRoute(topic: string, limits: MirrorLimits): Omit<MirrorRoute, 'seqKey'> {
  const lastDot = topic.lastIndexOf('.');
  const family = lastDot > 0 ? topic.slice(0, lastDot) : topic;
  const stream = SlowKey.mirrorStream(family);
  const usable = family.length <= MAX_FAMILY_LENGTH && FAMILY_PATTERN.test(family) && !isReservedKey(stream);
  return {
    stream: usable ? stream : SlowKey.mirrorStream(UNROUTED_FAMILY),
    maxLen: limits.mirrorMaxLen,
    latest: null,
    routed: usable,
    types: null,
  };
}
