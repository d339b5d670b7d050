/**
 * Assigns each live or imminent game to exactly one healthy game_shard. Shards are read from the
 * registry every tick (a shard is alive while its `registry:game_shard:<instance>` key is; its
 * capacity is `metrics.capacity`); the plan (assignment-plan.ts) is applied move by move through
 * compare-and-set, so a shard killed with -9 loses its games to the others within the registry
 * TTL plus one tick, and a shard that comes back under the same name is used again.
 *
 * Only from a complete view (registry-trust.ts): while Redis was recently unreachable or slow, a
 * shard that owns games but is missing from the registry is "unknown": it keeps its games and
 * takes no new ones, and nothing is reassigned because its entry is gone.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Heartbeat } from '../../core/messages.js';
import { listInstances } from '../../bus/registry.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { RegistryTrust } from './registry-trust.js';
import type { ActiveUpdate, AssignmentStore } from './assignment-store.js';
import { planAssignments, type Move, type PlanGame, type ShardView } from './assignment-plan.js';

export interface ShardAssignerOptions {
  shardService: string;
  instancePrefix: string;
  defaultCapacity: number;
  degradedGraceMs: number;
  rebalanceMaxMoves: number;
}

const shardIdOf = (hb: Pick<Heartbeat, 'service' | 'instance'>): string => `${hb.service}.${hb.instance}`;

export interface AppliedMove extends Move {
  applied: boolean;
}

export class ShardAssigner {
  private readonly degradedSince = new Map<string, number>();
  private lastShards: ShardView[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly trust: RegistryTrust,
    private readonly store: AssignmentStore,
    private readonly options: Readonly<ShardAssignerOptions>,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** The shards alive in the registry, as the planner sees them. */
  async shards(nowMs: number): Promise<ShardView[]> {
    const instances = (await this.trust.read(() => listInstances(this.redis, this.log))).filter(
      (hb) => hb.service === this.options.shardService && hb.instance.startsWith(this.options.instancePrefix),
    );
    const views: ShardView[] = [];
    const seen = new Set<string>();
    for (const hb of instances) {
      const id = shardIdOf(hb);
      seen.add(id);
      if (hb.status !== 'degraded') this.degradedSince.delete(id);
      else if (!this.degradedSince.has(id)) this.degradedSince.set(id, nowMs);
      const degradedFor = nowMs - (this.degradedSince.get(id) ?? nowMs);
      const reported = hb.metrics['capacity'];
      const capacity = reported !== undefined && Number.isFinite(reported) && reported >= 1 ? reported : this.options.defaultCapacity;
      views.push({
        id,
        capacity,
        acceptsNew: hb.status === 'healthy',
        keepsGames: hb.status !== 'stopping' && (hb.status !== 'degraded' || degradedFor < this.options.degradedGraceMs),
      });
    }
    for (const id of [...this.degradedSince.keys()]) if (!seen.has(id)) this.degradedSince.delete(id);
    this.lastShards = views;
    return views;
  }

  lastSeenShards(): readonly ShardView[] {
    return this.lastShards;
  }

  /**
   * Plans and applies one round. `activeUpdate` says what games:active gets with each move
   * (the GameInfo JSON naming the new shard, or a deletion); a compare-and-set that fails means
   * someone else moved the game, and the next round re-reads.
   */
  async reconcile(
    games: readonly PlanGame[],
    nowMs: number,
    activeUpdate: (gameId: string, to: string | null) => ActiveUpdate,
  ): Promise<{ applied: AppliedMove[]; shards: ShardView[]; complete: boolean }> {
    const shards = await this.shards(nowMs);
    const owners = await this.store.owners();
    const complete = this.trust.complete();
    if (!complete) this.keepUnknownOwners(shards, owners);
    const moves = planAssignments({ games, owners, shards, rebalanceMaxMoves: this.options.rebalanceMaxMoves });
    const applied: AppliedMove[] = [];
    for (const move of moves) {
      const result = await this.store.move(move.gameId, move.from, move.to, activeUpdate(move.gameId, move.to));
      if (result.ok) {
        this.metrics.inc(`assign.${move.reason}`);
      } else {
        this.metrics.inc('assign.conflicts');
        this.log.warn({ ...move, actual: result.actualOwner }, 'ARB_ORCH_ASSIGN_CONFLICT: assignment changed underneath; re-reading next tick');
      }
      applied.push({ ...move, applied: result.ok });
    }
    return { applied, shards, complete };
  }

  /** Owners missing from an incomplete view stay owners: unknown, not gone. */
  private keepUnknownOwners(shards: ShardView[], owners: ReadonlyMap<string, string>): void {
    const seen = new Set(shards.map((s) => s.id));
    let unknown = 0;
    for (const id of new Set(owners.values())) {
      if (seen.has(id)) continue;
      shards.push({ id, capacity: this.options.defaultCapacity, acceptsNew: false, keepsGames: true });
      unknown++;
    }
    this.metrics.set('assign.unknown_shards', unknown);
    if (unknown > 0) this.metrics.inc('assign.held_unknown');
  }
}
