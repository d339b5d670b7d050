import { ArbeesError } from '../errors.js';

export class BankrollError extends ArbeesError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('ARB_BANKROLL_INVALID', message, details);
    this.name = 'BankrollError';
  }
}
