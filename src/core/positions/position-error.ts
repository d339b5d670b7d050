import { ArbeesError } from '../errors.js';

/** A fill or settlement that cannot apply to the book (selling more than held, bad size...). */
export class PositionError extends ArbeesError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('ARB_POSITION_INVALID', message, details);
    this.name = 'PositionError';
  }
}
