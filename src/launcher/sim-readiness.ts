/**
 * Whether the simulator's servers answer: one cheap public GET per server (ESPN scoreboard,
 * Kalshi markets, Gamma events, CLOB time). `arbees up` waits on this before it starts the
 * services that connect to them, so their first requests never meet a closed port.
 */
import { ArbeesError } from '../core/errors.js';
import type { SimEndpoints } from '../sim/sim-endpoints.js';

function simProbeUrls(e: SimEndpoints): string[] {
  return [
    `${e.espnBaseUrl}/apis/site/v2/sports/basketball/nba/scoreboard`,
    `${e.kalshiRestUrl}/markets?limit=1`,
    `${e.polyGammaUrl}/events?limit=1`,
    `${e.polyClobUrl}/time`,
  ];
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export async function simEndpointsAnswer(e: SimEndpoints, timeoutMs = 2_000): Promise<boolean> {
  const results = await Promise.all(simProbeUrls(e).map((u) => answers(u, timeoutMs)));
  return results.every(Boolean);
}

export interface WaitForSimOptions {
  timeoutMs: number;
  pollMs?: number;
  /** A reason to give up at once (e.g. the simulator process failed), else null. */
  failure?: () => string | null;
}

/** Resolves once every server answers; throws ARB_SUPERVISOR after the timeout or on failure(). */
export async function waitForSimEndpoints(e: SimEndpoints, options: WaitForSimOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failed = options.failure?.() ?? null;
    if (failed !== null) throw new ArbeesError('ARB_SUPERVISOR', `the simulator did not come up: ${failed}`);
    if (await simEndpointsAnswer(e)) return;
    if (Date.now() >= deadline) {
      throw new ArbeesError('ARB_SUPERVISOR', `the simulator did not answer on ${simProbeUrls(e).join(', ')} within ${options.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
}
