/** analytics_service's settings: schedules (cron, in the report time zone), the zone, where it publishes. */
import { ConfigError } from '../../core/errors.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { databaseUrlVar } from '../../runtime/database-config.js';
import { Cron } from 'croner';

const cron = (raw: string, env: string): string => {
  if (raw.trim() === '' || raw.trim() === 'off') return '';
  try {
    new Cron(raw, { paused: true }).stop();
  } catch (err) {
    throw new ConfigError(env, `must be a cron pattern or off, got ${JSON.stringify(raw)} (${(err as Error).message})`);
  }
  return raw;
};

export const analyticsConfigSpec = {
  databaseUrl: databaseUrlVar,
  /** The trading day (US sports end on Eastern evenings): daily reports run midnight to midnight here. */
  timeZone: defineVar({ env: 'ANALYTICS_TIME_ZONE', default: 'America/New_York', parse: parse.timeZone }),
  /** A few minutes after the hour, so the recorder has committed the hour's last entries. */
  hourlyCron: defineVar({ env: 'ANALYTICS_HOURLY_CRON', default: '5 * * * *', parse: cron }),
  dailyCron: defineVar({ env: 'ANALYTICS_DAILY_CRON', default: '15 0 * * *', parse: cron }),
  /** On start, make the last hourly and daily reports if they are missing (the service was down). */
  catchUp: defineVar({ env: 'ANALYTICS_CATCH_UP', default: true, parse: parse.bool }),
  keyPrefix: defineVar({ env: 'ANALYTICS_KEY_PREFIX', default: '', parse: parse.keyPrefix }),
  eventsMaxLen: defineVar({ env: 'ANALYTICS_EVENTS_MAXLEN', default: 1_000, parse: parse.int(10, 1_000_000) }),
};

export type AnalyticsConfig = ConfigOf<typeof analyticsConfigSpec>;
