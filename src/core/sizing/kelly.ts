/**
 * Fractional Kelly for one binary contract, on the edge NET of fees.
 *
 * Buying one contract of a side at price p (per contract, in that side's terms) that pays 1
 * with the model's probability q: with p_eff = p + entry fee + expected exit fee (per contract),
 * the growth-optimal stake fraction is f* = (q - p_eff) / (1 - p_eff). For NO the same formula
 * holds with q = 1 - model YES and p = the NO price (1 - YES bid). The stake is
 * fraction x f* x bankroll, and it buys floor(stake / p_eff) contracts. The reference system
 * sized in dollars and then used the number as contracts; here the output is contracts.
 *
 * Book depth: the walk goes level by level from the best price. Each level has its own (lower)
 * Kelly size; contracts are taken from a level only while the running total is below that
 * level's size, so a thin top of book does not lure the order deep into worse prices. The
 * expected exit fee is charged at the model probability (the price a fair exit would get);
 * holding to settlement pays none, so this errs on the small side.
 *
 * Model uncertainty: when the signal says how unsure the model is (SD s of its probability),
 * the Kelly fraction at a level is multiplied by e^2 / (e^2 + s^2), e the net edge there. That
 * is the shrinkage that maximises expected growth when the edge itself is an estimate with
 * error s (Baker and McHale 2013, "Optimal betting under parameter uncertainty"): a small edge
 * the model is unsure of is staked little, a large one it is sure of almost fully.
 */
import { ConfigError } from '../errors.js';
import { MAX_CONTRACTS_PER_FILL, type VenueFeeRule } from '../fees.js';
import { CC_PER_DOLLAR, priceToCc } from '../money.js';
import { cleanLevels } from '../execution/paper-fill.js';
import type { Side, YesBook } from '../execution/order-types.js';

export interface KellyOptions {
  /** Share of full Kelly staked (0.25 = quarter Kelly). */
  fraction?: number;
  /** A level is used only while its net edge (q - p_eff) is at least this (probability points). */
  minNetEdge?: number;
  /** Charge an exit fee at the model probability (true) or assume holding to settlement (false). */
  chargeExitFee?: boolean;
}

const KELLY_DEFAULTS: Readonly<Required<KellyOptions>> = Object.freeze({
  fraction: 0.25,
  minNetEdge: 0,
  chargeExitFee: true,
});

export interface KellyInput {
  readonly side: Side;
  /** Model probability that YES pays. */
  readonly modelYesProb: number;
  readonly book: YesBook;
  readonly entryFee: VenueFeeRule;
  /** Venue the position would be exited on (the same venue in practice). */
  readonly exitFee: VenueFeeRule;
  readonly bankrollCc: number;
  /** Worst YES-side price the signal allows; the walk stops beyond it. */
  readonly limitYesPrice: number | null;
  /** Hard cap from risk (maxContractsWithinRisk) or elsewhere. */
  readonly maxContracts: number;
  /** SD of modelYesProb (the model's own doubt); absent or null: the model is taken as exact. */
  readonly modelProbSd?: number | null;
}

export interface KellySize {
  readonly contracts: number;
  /** YES-side price of the worst level used: the order's limit. null when nothing is bought. */
  readonly limitYesPrice: number | null;
  /** Full-Kelly fraction and net edge at the best level (0 when there is none). */
  /** (after the uncertainty shrink, when the input carries a model SD) */
  readonly fullKelly: number;
  readonly netEdge: number;
  readonly reason: 'sized' | 'no_edge' | 'no_depth' | 'capped_to_zero' | 'below_one_contract' | 'invalid_input';
}

/** Fee per contract at a side price, as a probability (rate x p x (1-p)), before rounding. */
function feePerContract(rule: VenueFeeRule, p: number): number {
  return (rule.takerRateBp / 10_000) * p * (1 - p);
}

export function effectivePrice(p: number, q: number, input: Pick<KellyInput, 'entryFee' | 'exitFee'>, chargeExitFee: boolean): number {
  return p + feePerContract(input.entryFee, p) + (chargeExitFee ? feePerContract(input.exitFee, q) : 0);
}

/** Multiplier on the Kelly fraction for a net edge known only within SD `sd`: e^2 / (e^2 + sd^2). */
export function uncertaintyShrink(netEdge: number, sd: number | null | undefined): number {
  if (typeof sd !== 'number' || !(sd > 0) || !Number.isFinite(sd)) return 1;
  const e2 = netEdge * netEdge;
  return e2 > 0 ? e2 / (e2 + sd * sd) : 0;
}

/** Full Kelly fraction for paying p_eff for a contract that pays 1 with probability q. */
export function kellyFraction(q: number, pEff: number): number {
  if (!(pEff > 0 && pEff < 1)) return 0;
  return Math.max(0, (q - pEff) / (1 - pEff));
}

export function kellySize(input: KellyInput, options: KellyOptions = {}): KellySize {
  const o = resolveKellyOptions(options);
  if (!validInput(input)) return { contracts: 0, limitYesPrice: null, fullKelly: 0, netEdge: 0, reason: 'invalid_input' };
  const q = input.side === 'yes' ? input.modelYesProb : 1 - input.modelYesProb;
  const walkingAsks = input.side === 'yes';
  const levels = cleanLevels(walkingAsks ? input.book.yes_asks : input.book.yes_bids, walkingAsks);
  const limitCc = input.limitYesPrice === null ? null : priceToCc(input.limitYesPrice);
  const cap = Math.min(Math.max(0, Math.floor(input.maxContracts)), MAX_CONTRACTS_PER_FILL);

  let taken = 0;
  let worstYesCc: number | null = null;
  let first: { fullKelly: number; netEdge: number } | null = null;
  let lastTarget = 0;
  for (const level of levels) {
    if (limitCc !== null && (walkingAsks ? level.yesCc > limitCc : level.yesCc < limitCc)) break;
    const p = (walkingAsks ? level.yesCc : CC_PER_DOLLAR - level.yesCc) / CC_PER_DOLLAR;
    const pEff = effectivePrice(p, q, input, o.chargeExitFee);
    const netEdge = q - pEff;
    const full = kellyFraction(q, pEff) * uncertaintyShrink(netEdge, input.modelProbSd);
    first ??= { fullKelly: full, netEdge };
    if (netEdge < o.minNetEdge || full <= 0) break;
    // The nudge keeps binary rounding (0.6 - 0.5 = 0.09999999999999998) from turning 100 into 99.
    const target = Math.floor((o.fraction * full * input.bankrollCc) / (pEff * CC_PER_DOLLAR) + 1e-9);
    lastTarget = target;
    const want = Math.min(target, cap) - taken;
    if (want <= 0) break;
    const take = Math.min(want, level.contracts);
    taken += take;
    worstYesCc = level.yesCc;
  }
  const base = { fullKelly: first?.fullKelly ?? 0, netEdge: first?.netEdge ?? 0 };
  if (taken > 0) return { contracts: taken, limitYesPrice: worstYesCc! / CC_PER_DOLLAR, ...base, reason: 'sized' };
  const reason: KellySize['reason'] =
    first === null ? 'no_depth' : first.fullKelly <= 0 || first.netEdge < o.minNetEdge ? 'no_edge' : cap === 0 ? 'capped_to_zero' : lastTarget < 1 ? 'below_one_contract' : 'no_depth';
  return { contracts: 0, limitYesPrice: null, ...base, reason };
}

function validInput(input: KellyInput): boolean {
  const p = input.modelYesProb;
  const limitOk = input.limitYesPrice === null || (Number.isFinite(input.limitYesPrice) && input.limitYesPrice >= 0 && input.limitYesPrice <= 1);
  return Number.isFinite(p) && p >= 0 && p <= 1 && Number.isSafeInteger(input.bankrollCc) && input.bankrollCc >= 0 && Number.isFinite(input.maxContracts) && limitOk;
}

export function resolveKellyOptions(options: KellyOptions): Readonly<Required<KellyOptions>> {
  const o = { ...KELLY_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!(o.fraction > 0 && o.fraction <= 1)) throw new ConfigError('kelly.fraction', `${o.fraction} must be in (0, 1]`);
  if (!Number.isFinite(o.minNetEdge)) throw new ConfigError('kelly.minNetEdge', `${o.minNetEdge} must be a number`);
  return Object.freeze(o);
}
