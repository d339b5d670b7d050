/**
 * Emits synthetic prices for a handful of fake markets on both venues, so a fresh `arbees up`
 * visibly fills the slow track before the venue monitors exist. Each market's price follows a
 * bounded random walk; the bid/ask straddle it.
 */
import type { PriceUpdate } from '../../core/messages.js';
import { Topic, VENUES, type Venue } from '../../core/topics.js';
import { defineVar, parse } from '../../runtime/config.js';
import { defineService } from '../../runtime/service.js';

const configSpec = {
  ratePerSecond: defineVar({ env: 'DEMO_RATE', default: 50, parse: parse.int(1, 1_000_000) }),
  markets: defineVar({ env: 'DEMO_MARKETS', default: 8, parse: parse.int(1, 10_000) }),
};

interface DemoMarket {
  venue: Venue;
  id: string;
  gameId: string;
  team: string;
  mid: number;
}

function demoMarkets(count: number): DemoMarket[] {
  return Array.from({ length: count }, (_, i) => ({
    // Alternate venues; the ids only need to look like each venue's (a ticker, a token number).
    venue: VENUES[i % VENUES.length]!,
    id: i % 2 === 0 ? `KXDEMOGAME-26NOV24G${i}-HOME` : `${7100000000 + i}`,
    gameId: `demo${Math.floor(i / 2)}`,
    team: 'HOME',
    mid: 0.3 + 0.4 * ((i * 37) % 10) / 10,
  }));
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function nextQuote(market: DemoMarket, random: () => number): PriceUpdate {
  market.mid = Math.min(0.97, Math.max(0.03, market.mid + (random() - 0.5) * 0.01));
  const halfSpread = 0.01;
  return {
    venue: market.venue,
    market_id: market.id,
    game_id: market.gameId,
    team: market.team,
    yes_bid: round4(market.mid - halfSpread),
    yes_ask: round4(market.mid + halfSpread),
    yes_bid_size: 50 + Math.floor(random() * 200),
    yes_ask_size: 50 + Math.floor(random() * 200),
    status: 'open',
  };
}

export const demoPublisher = defineService({
  name: 'demo_publisher',
  description: 'synthetic prices on the hot path (until the venue monitors run)',
  configSpec,
  async start(ctx) {
    const publisher = await ctx.publisher();
    const markets = demoMarkets(ctx.config.markets);
    const perTick = Math.max(1, Math.round(ctx.config.ratePerSecond / 100));
    const tickMs = Math.max(1, Math.round((1000 * perTick) / ctx.config.ratePerSecond));
    let next = 0;
    const timer = setInterval(() => {
      for (let i = 0; i < perTick; i++) {
        const market = markets[next++ % markets.length]!;
        publisher.publish(Topic.price(market.venue, market.id), 'price', nextQuote(market, Math.random));
      }
    }, tickMs);
    ctx.onStop(() => clearInterval(timer));
  },
});
