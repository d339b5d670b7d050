/**
 * The history schema as plain SQL migrations, one dialect for the embedded PGlite and a real
 * PostgreSQL server. Append a migration, never edit an applied one: `schema_migrations` records
 * which ids ran. Times are integer microseconds since the epoch (`*_ts`, as on the bus), money
 * integer centi-cents (`*_cc`, core/money.ts), prices YES-side probabilities. Time-series tables
 * (prices, game_states, position_events) keep their time column in the primary key, so they can
 * become TimescaleDB hypertables on an integer time dimension without a schema change.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

const HISTORY_V1 = `
CREATE TABLE games (
  game_id        text PRIMARY KEY,
  sport          text NOT NULL,
  name           text NOT NULL,
  home_abbr      text NOT NULL,
  away_abbr      text NOT NULL,
  start_time     text NOT NULL,
  status         text NOT NULL,
  markets        jsonb NOT NULL DEFAULT '[]',
  home_score     integer,
  away_score     integer,
  first_seen_ts  bigint NOT NULL,
  updated_ts     bigint NOT NULL,
  final_ts       bigint
);

CREATE TABLE game_states (
  msg_id          text NOT NULL,
  ts              bigint NOT NULL,
  game_id         text NOT NULL,
  sport           text NOT NULL,
  status          text NOT NULL,
  period          integer NOT NULL,
  clock_s         double precision NOT NULL,
  home_score      integer NOT NULL,
  away_score      integer NOT NULL,
  model_home_prob double precision,
  espn_home_prob  double precision,
  PRIMARY KEY (msg_id, ts)
);
CREATE INDEX game_states_game_ts ON game_states (game_id, ts);

CREATE TABLE prices (
  msg_id     text NOT NULL,
  ts         bigint NOT NULL,
  venue      text NOT NULL,
  market_id  text NOT NULL,
  game_id    text,
  yes_bid    double precision,
  yes_ask    double precision,
  last_price double precision,
  status     text NOT NULL,
  PRIMARY KEY (msg_id, ts)
);
CREATE INDEX prices_market_ts ON prices (venue, market_id, ts);

CREATE TABLE signals (
  signal_id   text PRIMARY KEY,
  msg_id      text NOT NULL,
  kind        text NOT NULL,
  game_id     text NOT NULL,
  sport       text NOT NULL,
  model_prob  double precision,
  net_edge    double precision NOT NULL,
  gross_edge  double precision NOT NULL,
  confidence  double precision NOT NULL,
  reason      text NOT NULL,
  high_edge   boolean NOT NULL DEFAULT false,
  legs        jsonb NOT NULL,
  created_ts  bigint NOT NULL
);
CREATE INDEX signals_created ON signals (created_ts);

CREATE TABLE exit_signals (
  exit_id     text PRIMARY KEY,
  msg_id      text NOT NULL,
  position_id text NOT NULL,
  game_id     text NOT NULL,
  venue       text NOT NULL,
  market_id   text NOT NULL,
  side        text NOT NULL,
  contracts   double precision NOT NULL,
  yes_price   double precision NOT NULL,
  reason      text NOT NULL,
  created_ts  bigint NOT NULL
);

CREATE TABLE trades (
  trade_id    text PRIMARY KEY,
  msg_id      text NOT NULL,
  stream_id   text NOT NULL,
  source      text NOT NULL,
  source_id   text NOT NULL,
  game_id     text NOT NULL,
  sport       text NOT NULL,
  mode        text NOT NULL,
  status      text NOT NULL,
  reason      text,
  fees_cc     bigint NOT NULL,
  decided_ts  bigint NOT NULL
);
CREATE INDEX trades_decided ON trades (decided_ts);
CREATE INDEX trades_source ON trades (source_id);

CREATE TABLE fills (
  trade_id   text NOT NULL,
  leg        integer NOT NULL,
  venue      text NOT NULL,
  market_id  text NOT NULL,
  side       text NOT NULL,
  action     text NOT NULL,
  contracts  double precision NOT NULL,
  yes_price  double precision NOT NULL,
  fee_cc     bigint NOT NULL,
  order_id   text,
  decided_ts bigint NOT NULL,
  PRIMARY KEY (trade_id, leg)
);
CREATE INDEX fills_market ON fills (venue, market_id, decided_ts);
CREATE INDEX fills_decided ON fills (decided_ts);

CREATE TABLE positions (
  position_id       text PRIMARY KEY,
  game_id           text NOT NULL,
  sport             text NOT NULL,
  venue             text NOT NULL,
  market_id         text NOT NULL,
  team              text,
  side              text NOT NULL,
  state             text NOT NULL,
  contracts         double precision NOT NULL,
  avg_yes_price     double precision NOT NULL,
  mark_yes_price    double precision,
  cost_cc           bigint NOT NULL,
  fees_cc           bigint NOT NULL,
  realized_pnl_cc   bigint NOT NULL,
  unrealized_pnl_cc bigint NOT NULL,
  opened_ts         bigint NOT NULL,
  updated_ts        bigint NOT NULL,
  closed_ts         bigint
);
CREATE INDEX positions_updated ON positions (updated_ts);
CREATE INDEX positions_closed ON positions (closed_ts);

CREATE TABLE position_events (
  msg_id            text NOT NULL,
  ts                bigint NOT NULL,
  position_id       text NOT NULL,
  state             text NOT NULL,
  contracts         double precision NOT NULL,
  mark_yes_price    double precision,
  cost_cc           bigint NOT NULL,
  realized_pnl_cc   bigint NOT NULL,
  unrealized_pnl_cc bigint NOT NULL,
  PRIMARY KEY (msg_id, ts)
);
CREATE INDEX position_events_ts ON position_events (ts);
CREATE INDEX position_events_position ON position_events (position_id);

CREATE TABLE settlements (
  settlement_id text PRIMARY KEY,
  game_id       text NOT NULL,
  sport         text NOT NULL,
  home_score    integer NOT NULL,
  away_score    integer NOT NULL,
  markets       jsonb NOT NULL,
  ts            bigint NOT NULL
);

CREATE TABLE notifications (
  notification_id text PRIMARY KEY,
  channel         text NOT NULL,
  kind            text NOT NULL,
  title           text NOT NULL,
  body            text NOT NULL,
  status          text NOT NULL,
  ts              bigint NOT NULL
);

CREATE TABLE incidents (
  incident_id text PRIMARY KEY,
  kind        text NOT NULL,
  source      text NOT NULL,
  severity    text NOT NULL,
  message     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  ts          bigint NOT NULL
);
CREATE INDEX incidents_ts ON incidents (ts);

CREATE TABLE dead_letters (
  stream   text NOT NULL,
  entry_id text NOT NULL,
  fields   jsonb NOT NULL,
  problem  text NOT NULL,
  ts       bigint NOT NULL,
  PRIMARY KEY (stream, entry_id)
);
CREATE INDEX dead_letters_ts ON dead_letters (ts);

CREATE TABLE reports (
  report_id  text PRIMARY KEY,
  kind       text NOT NULL,
  since_ts   bigint NOT NULL,
  until_ts   bigint NOT NULL,
  created_ts bigint NOT NULL,
  time_zone  text NOT NULL,
  summary    jsonb NOT NULL,
  body       jsonb NOT NULL,
  markdown   text NOT NULL
);
CREATE INDEX reports_created ON reports (created_ts);
`;

/**
 * Fractional Polymarket shares: a fill's quantity may carry up to 6 decimals (contracts stays
 * double precision, exact for those), and the cash the venue moved for it is kept when it is not
 * contracts x price (NULL: older rows and whole-contract fills, where it is).
 */
const FILL_NOTIONAL = `ALTER TABLE fills ADD COLUMN notional_cc bigint;`;

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  { id: 1, name: 'history v1', sql: HISTORY_V1 },
  { id: 2, name: 'fill notional', sql: FILL_NOTIONAL },
]);
