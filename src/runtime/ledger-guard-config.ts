/**
 * The ledger guard's settings (ledger-guard.ts), shared by every service that rebuilds from the
 * durable ledger: spread into their config specs.
 */
import { defineVar, parse } from './config.js';

export const ledgerGuardConfigSpec = {
  /** Off: no epoch check (a throwaway Redis in a test or bench); never for real money. */
  ledgerGuard: defineVar({ env: 'ARBEES_LEDGER_GUARD', default: true, parse: parse.bool, describe: 'detect a Redis that lost ledger data and halt' }),
  /** How often the ledger is re-checked while running (and while halted, for a confirmation). */
  ledgerCheckMs: defineVar({ env: 'ARBEES_LEDGER_CHECK_MS', default: 2_000, parse: parse.int(50, 600_000) }),
};
