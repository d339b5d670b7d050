import { ArbeesError } from '../errors.js';

/**
 * One malformed detector input (a NaN level, a crossed book, a probability outside [0,1]...).
 * Detectors never throw on bad input: they skip the offending input, return this in `issues`,
 * and the caller counts it under ARB_SIGNAL_INPUT.
 */
export class SignalInputError extends ArbeesError {
  /** What was wrong with (e.g. "book", "model", "now"). */
  readonly input: string;
  constructor(input: string, problem: string, details: Record<string, unknown> = {}) {
    super('ARB_SIGNAL_INPUT', `${input}: ${problem}`, { input, ...details });
    this.name = 'SignalInputError';
    this.input = input;
  }
}
