/**
 * One simulated Kalshi member: cash, positions, orders and fills, all in integers (money in
 * centi-cents, contracts whole). Positions follow Kalshi's signed convention: positive holds
 * YES, negative holds NO; buying YES while holding NO closes NO first (a YES and a NO pair is
 * worth exactly $1), so the books always net.
 */
import { CC_PER_DOLLAR } from '../../core/money.js';

export interface SimPosition {
  ticker: string;
  eventTicker: string;
  /** Signed contracts: + YES, - NO. */
  contracts: number;
  /** What the open contracts cost (centi-cents, >= 0). */
  costCc: number;
  realizedPnlCc: number;
  feesPaidCc: number;
  /** Sum over trades of |contracts x price paid or received|. */
  tradedCc: number;
  updatedMs: number;
}

export interface SimFill {
  fillId: string;
  orderId: string;
  clientOrderId: string | null;
  ticker: string;
  bookSide: 'bid' | 'ask';
  count: number;
  yesPriceCc: number;
  isTaker: boolean;
  feeCc: number;
  tsMs: number;
  postPosition: number;
}

export interface SimSettlement {
  ticker: string;
  result: 'yes' | 'no';
  contracts: number;
  payoutCc: number;
  tsMs: number;
}

export class SimAccount {
  readonly keyId: string;
  cashCc: number;
  /** Cash held for resting orders. */
  reservedCc = 0;
  readonly positions = new Map<string, SimPosition>();
  readonly fills: SimFill[] = [];
  readonly settlements: SimSettlement[] = [];

  constructor(keyId: string, cashCc: number) {
    this.keyId = keyId;
    this.cashCc = cashCc;
  }

  get availableCc(): number {
    return this.cashCc - this.reservedCc;
  }

  position(ticker: string, eventTicker: string): SimPosition {
    let p = this.positions.get(ticker);
    if (!p) {
      p = { ticker, eventTicker, contracts: 0, costCc: 0, realizedPnlCc: 0, feesPaidCc: 0, tradedCc: 0, updatedMs: 0 };
      this.positions.set(ticker, p);
    }
    return p;
  }

  /** Contracts an order on this side would close rather than open. */
  closable(ticker: string, bookSide: 'bid' | 'ask'): number {
    const held = this.positions.get(ticker)?.contracts ?? 0;
    return bookSide === 'bid' ? Math.max(0, -held) : Math.max(0, held);
  }

  /**
   * Books one fill: `bid` buys YES at yesPriceCc, `ask` buys NO at 1 - yesPriceCc. Closing the
   * opposite side first realizes P&L against the average cost of what is held.
   */
  applyFill(pos: SimPosition, bookSide: 'bid' | 'ask', count: number, yesPriceCc: number, feeCc: number, nowMs: number): void {
    const payCc = bookSide === 'bid' ? yesPriceCc : CC_PER_DOLLAR - yesPriceCc;
    const opposite = bookSide === 'bid' ? pos.contracts < 0 : pos.contracts > 0;
    const closing = opposite ? Math.min(count, Math.abs(pos.contracts)) : 0;
    if (closing > 0) {
      const held = Math.abs(pos.contracts);
      const costShare = Math.round((pos.costCc * closing) / held);
      // Buying the other side at payCc and redeeming the pair for $1 nets 1 - payCc each.
      const proceeds = closing * (CC_PER_DOLLAR - payCc);
      pos.realizedPnlCc += proceeds - costShare;
      pos.costCc -= costShare;
      this.cashCc += proceeds;
      pos.contracts += bookSide === 'bid' ? closing : -closing;
    }
    const opening = count - closing;
    if (opening > 0) {
      pos.costCc += opening * payCc;
      this.cashCc -= opening * payCc;
      pos.contracts += bookSide === 'bid' ? opening : -opening;
    }
    if (pos.contracts === 0) pos.costCc = 0;
    pos.tradedCc += count * payCc;
    pos.feesPaidCc += feeCc;
    this.cashCc -= feeCc;
    pos.updatedMs = nowMs;
  }

  /** Pays $1 per winning contract and closes the position. */
  settle(ticker: string, result: 'yes' | 'no', nowMs: number): SimSettlement | null {
    const pos = this.positions.get(ticker);
    if (!pos || pos.contracts === 0) return null;
    const wins = (result === 'yes' && pos.contracts > 0) || (result === 'no' && pos.contracts < 0);
    const payoutCc = wins ? Math.abs(pos.contracts) * CC_PER_DOLLAR : 0;
    const settlement: SimSettlement = { ticker, result, contracts: pos.contracts, payoutCc, tsMs: nowMs };
    this.cashCc += payoutCc;
    pos.realizedPnlCc += payoutCc - pos.costCc;
    pos.costCc = 0;
    pos.contracts = 0;
    pos.updatedMs = nowMs;
    this.settlements.push(settlement);
    return settlement;
  }
}
