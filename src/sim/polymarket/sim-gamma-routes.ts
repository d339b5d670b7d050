/**
 * The simulated Gamma API: `/events`, `/markets` (offset listings, bare arrays), their keyset
 * variants (`{events|markets, next_cursor}`), and lookups by id and slug. Filters: id, slug,
 * tag_id, tag_slug, active, closed, archived, condition_ids, clob_token_ids, game_id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCatalog, SimPolyEvent, SimPolyMarket } from './sim-catalog.js';
import { tagsFor } from './sim-catalog.js';
import { boolParam, HttpFailure, intParam, listParam, sendJson } from './sim-http.js';
import type { SimTokenBook } from './sim-token-book.js';
import { gammaEvent, gammaMarket } from './sim-wire.js';

export interface GammaRouteDeps {
  catalog: SimCatalog;
  bookOf: (tokenId: string) => SimTokenBook | undefined;
  /** Serve the keyset endpoints (turn off to exercise a client's offset fallback). */
  keyset: boolean;
}

const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function decodeCursor(c: string | null): number {
  if (c === null || c === '') return 0;
  const m = /^offset:(\d{1,9})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  if (!m) throw new HttpFailure(400, 'invalid next_cursor');
  return Number(m[1]);
}

function matchesCommon(q: URLSearchParams, id: string, slug: string, tags: { id: string; slug: string }[], closed: boolean): boolean {
  const ids = listParam(q, 'id');
  const slugs = listParam(q, 'slug');
  const tagId = q.get('tag_id');
  const tagSlug = q.get('tag_slug');
  const wantClosed = boolParam(q, 'closed');
  const wantActive = boolParam(q, 'active');
  const wantArchived = boolParam(q, 'archived');
  if (ids && !ids.includes(id)) return false;
  if (slugs && !slugs.includes(slug)) return false;
  if (tagId && !tags.some((t) => t.id === tagId)) return false;
  if (tagSlug && !tags.some((t) => t.slug === tagSlug)) return false;
  if (wantClosed !== undefined && wantClosed !== closed) return false;
  if (wantActive === false || wantArchived === true) return false; // every simulated record is active, none archived
  return true;
}

function filterEvents(deps: GammaRouteDeps, q: URLSearchParams): SimPolyEvent[] {
  return deps.catalog
    .allEvents()
    .filter((ev) => matchesCommon(q, ev.id, ev.slug, tagsFor(ev.sport), ev.markets.every((m) => m.closed)));
}

function filterMarkets(deps: GammaRouteDeps, q: URLSearchParams): SimPolyMarket[] {
  const conditionIds = listParam(q, 'condition_ids');
  const tokenIds = listParam(q, 'clob_token_ids');
  const gameId = q.get('game_id');
  return deps.catalog.allMarkets().filter((m) => {
    const ev = deps.catalog.eventOfMarket(m);
    if (!matchesCommon(q, m.id, m.slug, tagsFor(ev.sport), m.closed)) return false;
    if (conditionIds && !conditionIds.includes(m.conditionId)) return false;
    if (tokenIds && !m.tokens.some((t) => tokenIds.includes(t.tokenId))) return false;
    if (gameId && m.gameId !== gameId) return false;
    return true;
  });
}

function ordered<T extends { id: string }>(items: T[], q: URLSearchParams): T[] {
  const asc = q.get('ascending') !== 'false';
  return [...items].sort((a, b) => (asc ? 1 : -1) * (Number(a.id) - Number(b.id)));
}

export function handleGamma(deps: GammaRouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET') throw new HttpFailure(405, 'method not allowed');
  const q = url.searchParams;
  const path = url.pathname.replace(/\/+$/, '');
  const renderEvent = (ev: SimPolyEvent) => gammaEvent(ev, deps.catalog, deps.bookOf);
  const includeTags = q.get('include_tag') === 'true';
  const renderMarket = (m: SimPolyMarket) => gammaMarket(m, deps.catalog.eventOfMarket(m), deps.bookOf, includeTags);

  const list = <T extends { id: string }>(items: T[], render: (x: T) => unknown, key: 'events' | 'markets', keyset: boolean) => {
    const all = ordered(items, q);
    if (!keyset) {
      if (q.has('next_cursor')) throw new HttpFailure(422, 'next_cursor is only valid on keyset endpoints');
      const offset = intParam(q, 'offset', 0, 1_000_000);
      const limit = intParam(q, 'limit', 100, 500);
      sendJson(res, 200, all.slice(offset, offset + limit).map(render));
      return;
    }
    if (q.has('offset')) throw new HttpFailure(422, 'offset is not accepted by keyset endpoints');
    const start = decodeCursor(q.get('next_cursor'));
    const limit = intParam(q, 'limit', 100, key === 'markets' ? 100 : 500);
    const page = all.slice(start, start + limit);
    const body: Record<string, unknown> = { [key]: page.map(render) };
    if (start + limit < all.length) body.next_cursor = encodeCursor(start + limit);
    sendJson(res, 200, body);
  };

  if (path === '/events') return list(filterEvents(deps, q), renderEvent, 'events', false);
  if (path === '/markets') return list(filterMarkets(deps, q), renderMarket, 'markets', false);
  if (deps.keyset && path === '/events/keyset') return list(filterEvents(deps, q), renderEvent, 'events', true);
  if (deps.keyset && path === '/markets/keyset') return list(filterMarkets(deps, q), renderMarket, 'markets', true);

  let m: RegExpExecArray | null;
  if ((m = /^\/events\/slug\/([^/]+)$/.exec(path))) {
    const ev = deps.catalog.allEvents().find((e) => e.slug === decodeURIComponent(m![1]!));
    return ev ? sendJson(res, 200, renderEvent(ev)) : sendJson(res, 404, { error: 'event not found' });
  }
  if ((m = /^\/markets\/slug\/([^/]+)$/.exec(path))) {
    const mk = deps.catalog.allMarkets().find((x) => x.slug === decodeURIComponent(m![1]!));
    return mk ? sendJson(res, 200, renderMarket(mk)) : sendJson(res, 404, { error: 'market not found' });
  }
  if ((m = /^\/events\/(\d+)$/.exec(path))) {
    const ev = deps.catalog.event(m[1]!);
    return ev ? sendJson(res, 200, renderEvent(ev)) : sendJson(res, 404, { error: 'event not found' });
  }
  if ((m = /^\/markets\/(\d+)$/.exec(path))) {
    const mk = deps.catalog.market(m[1]!);
    return mk ? sendJson(res, 200, renderMarket(mk)) : sendJson(res, 404, { error: 'market not found' });
  }
  sendJson(res, 404, { error: 'not found' });
}
