/**
 * A config value that overrides per-sport lists (Kalshi series, Polymarket tags) over defaults.
 */
import { ConfigError } from '../core/errors.js';
import { SPORTS, type Sport } from '../core/topics.js';

/**
 * `ncaab=KXNCAAMBGAME|KXNCAABGAME,epl=KXEPLGAME` over the defaults: per-sport lists, each
 * entry separated by '|'.
 */
export function parseSportLists(defaults: Readonly<Record<Sport, readonly string[]>>) {
  return (raw: string, env: string): Readonly<Record<Sport, readonly string[]>> => {
    const out: Record<Sport, readonly string[]> = { ...defaults };
    for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
      const [sport, values, extra] = item.split('=').map((s) => s.trim());
      if (extra !== undefined || !(SPORTS as readonly string[]).includes(sport ?? '') || !values) {
        throw new ConfigError(env, `must be sport=A|B,... with sports among ${SPORTS.join(', ')}; got ${JSON.stringify(item)}`);
      }
      const list = values.split('|').map((v) => v.trim()).filter((v) => /^[A-Za-z0-9_-]{1,64}$/.test(v));
      if (list.length === 0) throw new ConfigError(env, `lists nothing for ${sport}`);
      out[sport as Sport] = list;
    }
    return Object.freeze(out);
  };
}
