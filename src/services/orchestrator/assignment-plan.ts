/**
 * The pure half of shard assignment: given the games that need a shard, who owns what now and
 * the shards alive, which moves to make. Invariants (property-tested): every game that needs a
 * shard ends with exactly one owner whenever some shard accepts games; no game is owned by a
 * shard that is gone; no game is moved twice in one plan; a game on a shard that keeps its games
 * stays where it is unless rebalancing moves it.
 */

export interface ShardView {
  /** `<service>.<instance>` */
  id: string;
  capacity: number;
  /** Healthy: may take new games. */
  acceptsNew: boolean;
  /** Registered and not stopping or degraded for too long: keeps the games it has. */
  keepsGames: boolean;
}

export interface PlanGame {
  id: string;
  /** Preferred when rebalancing (a game not yet under way loses nothing by moving). */
  preferMove: boolean;
}

export interface PlanInput {
  /** Games that need a shard, in priority order (earliest start first). */
  games: readonly PlanGame[];
  /** game id -> owning shard id, as stored. */
  owners: ReadonlyMap<string, string>;
  /** Registered shards; an owner not listed here is dead. */
  shards: readonly ShardView[];
  rebalanceMaxMoves: number;
}

export type MoveReason = 'new' | 'shard_gone' | 'not_needed' | 'no_shard' | 'rebalance';

export interface Move {
  gameId: string;
  from: string | null;
  to: string | null;
  reason: MoveReason;
}

export function planAssignments(input: PlanInput): Move[] {
  const moves: Move[] = [];
  const moved = new Set<string>();
  const shards = new Map(input.shards.map((s) => [s.id, s]));
  const needed = new Set(input.games.map((g) => g.id));
  const owner = new Map<string, string>();
  const load = new Map<string, number>(input.shards.map((s) => [s.id, 0]));
  const record = (m: Move) => {
    moves.push(m);
    moved.add(m.gameId);
    if (m.from !== null && load.has(m.from)) load.set(m.from, load.get(m.from)! - 1);
    if (m.to !== null) load.set(m.to, (load.get(m.to) ?? 0) + 1);
    if (m.to === null) owner.delete(m.gameId);
    else owner.set(m.gameId, m.to);
  };

  for (const [gameId, shardId] of input.owners) {
    if (!needed.has(gameId)) {
      moves.push({ gameId, from: shardId, to: null, reason: 'not_needed' });
      moved.add(gameId);
      continue;
    }
    owner.set(gameId, shardId);
    if (load.has(shardId)) load.set(shardId, load.get(shardId)! + 1);
  }

  const acceptors = input.shards.filter((s) => s.acceptsNew);
  const ratio = (s: ShardView, extra = 0) => ((load.get(s.id) ?? 0) + extra) / s.capacity;
  const best = (): ShardView | null => {
    let pick: ShardView | null = null;
    for (const s of acceptors) {
      if (
        pick === null ||
        ratio(s, 1) < ratio(pick, 1) ||
        (ratio(s, 1) === ratio(pick, 1) && ((load.get(s.id) ?? 0) < (load.get(pick.id) ?? 0) || ((load.get(s.id) ?? 0) === (load.get(pick.id) ?? 0) && s.id < pick.id)))
      ) {
        pick = s;
      }
    }
    return pick;
  };

  for (const game of input.games) {
    const current = owner.get(game.id) ?? null;
    const shard = current === null ? undefined : shards.get(current);
    if (shard?.keepsGames) continue;
    const target = best();
    if (target !== null) {
      record({ gameId: game.id, from: current, to: target.id, reason: current === null ? 'new' : 'shard_gone' });
    } else if (current !== null && shard === undefined) {
      // Its shard is gone and nobody can take it: unowned (and alerted) beats owned by the dead.
      record({ gameId: game.id, from: current, to: null, reason: 'no_shard' });
    }
    // Otherwise it stays on a registered but unwell shard: better than no shard at all.
  }

  rebalance(input, acceptors, owner, load, moved, record);
  return moves;
}

/**
 * Moves games from the most to the least loaded healthy shard while the move leaves the source
 * at least as loaded as the target: (lA-1)/cA >= (lB+1)/cB. Each move strictly lowers
 * sum(l^2/c), so rebalancing can never cycle.
 */
function rebalance(
  input: PlanInput,
  acceptors: readonly ShardView[],
  owner: Map<string, string>,
  load: Map<string, number>,
  moved: Set<string>,
  record: (m: Move) => void,
): void {
  const l = (s: ShardView) => load.get(s.id) ?? 0;
  for (let i = 0; i < input.rebalanceMaxMoves && acceptors.length > 1; i++) {
    const sorted = [...acceptors].sort((a, b) => l(a) / a.capacity - l(b) / b.capacity || a.id.localeCompare(b.id));
    const to = sorted[0]!;
    const from = sorted[sorted.length - 1]!;
    if (from === to || (l(from) - 1) / from.capacity < (l(to) + 1) / to.capacity) return;
    const candidates = input.games.filter((g) => owner.get(g.id) === from.id && !moved.has(g.id));
    // The latest-starting game not yet under way moves first; a live one only if nothing else.
    const pick = [...candidates].reverse().find((g) => g.preferMove) ?? candidates[candidates.length - 1];
    if (pick === undefined) return;
    record({ gameId: pick.id, from: from.id, to: to.id, reason: 'rebalance' });
  }
}
