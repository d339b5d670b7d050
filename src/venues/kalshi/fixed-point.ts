/**
 * Kalshi's fixed-point strings, done in integers: `FixedPointDollars` ("0.5600", up to 6
 * decimals in responses) and `FixedPointCount` ("10.00", 2 decimals). Parsing never goes
 * through parseFloat, so "0.1" + "0.2" style drift cannot reach a price, a size or a balance.
 */

export const MICROS_PER_DOLLAR = 1_000_000;
export const HUNDREDTHS_PER_CONTRACT = 100;

const DECIMAL = /^(-?)(\d{1,15})(?:\.(\d{1,12}))?$/;

/**
 * The decimal string as an integer count of 10^-decimals units, or null when it is not a plain
 * decimal or has non-zero digits beyond `decimals` places.
 */
function parseScaled(text: string, decimals: number): number | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  if (frac.length > decimals && /[^0]/.test(frac.slice(decimals))) return null;
  const digits = `${whole}${frac.slice(0, decimals).padEnd(decimals, '0')}`;
  const value = Number(digits);
  if (!Number.isSafeInteger(value)) return null;
  return sign === '-' && value !== 0 ? -value : value;
}

/** Dollars as integer micro-dollars (6 decimals, the finest Kalshi sends). */
export function parseDollarMicros(text: string): number | null {
  return parseScaled(text, 6);
}

/** Contracts as integer hundredths. */
export function parseCountHundredths(text: string): number | null {
  return parseScaled(text, 2);
}

function formatScaled(value: number, decimals: number, shown: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const unit = 10 ** decimals;
  const whole = Math.floor(abs / unit);
  const frac = String(abs % unit).padStart(decimals, '0');
  const kept = frac.slice(0, shown);
  if (/[^0]/.test(frac.slice(shown))) throw new RangeError(`${value} needs more than ${shown} decimals`);
  return shown > 0 ? `${sign}${whole}.${kept}` : `${sign}${whole}`;
}

/** Integer micro-dollars as a wire dollar string with 4 decimals ("0.5600"). */
export function formatDollarMicros(micros: number): string {
  return formatScaled(micros, 6, 4);
}

/** Integer centi-cents as a wire dollar string with 4 decimals ("1250.3400"). */
export function formatDollarCc(cc: number): string {
  return formatScaled(cc, 4, 4);
}

/** Integer hundredths of a contract as a wire count string ("10.00"). */
export function formatCountHundredths(hundredths: number): string {
  return formatScaled(hundredths, 2, 2);
}

/** A probability or dollar amount (at most 6 decimals) to integer micro-dollars. */
export function toMicros(dollars: number): number {
  return Math.round(dollars * MICROS_PER_DOLLAR);
}

/** Contracts (at most 2 decimals) to integer hundredths. */
export function toHundredths(contracts: number): number {
  return Math.round(contracts * HUNDREDTHS_PER_CONTRACT);
}
