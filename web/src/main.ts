/**
 * The arbees dashboard: one REST load, then everything live from /ws (no polling loop). Renders
 * at most once per animation frame. Controls ask for confirmation (and the bearer token once) and
 * show the audit result.
 */
import type { AccountView, FunnelRow, GameView, Page, PositionView, ServiceView, StatusPush, TradeView, WsEvent, WsServerMessage } from '../../src/core/api-protocol.js';
import type { GameInfo, GameState, Position, PriceUpdate, TradeCompleted, TradeSignal } from '../../src/core/messages.js';
import { getJson, postControl, tokenStore } from './api-client.js';
import { age, cents, clock, esc, pct, signClass, timeOf, usd } from './format.js';
import { GameChart, GameSeries } from './game-chart.js';
import { LiveStream } from './live-stream.js';

interface GameRow {
  info: GameInfo;
  state: GameState | null;
  prices: Map<string, PriceUpdate>;
  flash: boolean;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const games = new Map<string, GameRow>();
const marketGame = new Map<string, string>();
const positions = new Map<string, Position>();
const trades: TradeView[] = [];
const series = new Map<string, GameSeries>();
const latency = new Map<string, { pub: number[]; browser: number[] }>();
let status: StatusPush | null = null;
let selected: string | null = null;
const dirty = new Set<string>();
let frame = 0;
const chart = new GameChart($('chart'));

const mkey = (venue: string, id: string) => `${venue}:${id}`;

function markDirty(...parts: string[]): void {
  for (const p of parts) dirty.add(p);
  frame ||= requestAnimationFrame(render);
}

// ---- state updates -------------------------------------------------------------------------------

function putGame(info: GameInfo, state: GameState | null = null): GameRow {
  let row = games.get(info.game_id);
  if (!row) games.set(info.game_id, (row = { info, state, prices: new Map(), flash: false }));
  row.info = info;
  if (state) row.state = state;
  for (const m of info.markets) marketGame.set(mkey(m.venue, m.market_id), info.game_id);
  selected ??= info.game_id;
  return row;
}

function seriesOf(gameId: string): GameSeries {
  let s = series.get(gameId);
  if (!s) series.set(gameId, (s = new GameSeries()));
  return s;
}

/** A venue's home-team price: the home market as is, the away market mirrored. */
function homeQuote(row: GameRow, p: PriceUpdate): { bid: number | null; ask: number | null } | null {
  const ref = row.info.markets.find((m) => m.venue === p.venue && m.market_id === p.market_id);
  if (!ref || ref.outcome === 'draw') return null;
  if (ref.outcome === 'home') return { bid: p.yes_bid, ask: p.yes_ask };
  if (row.info.markets.some((m) => m.venue === p.venue && m.outcome === 'home')) return null;
  return { bid: p.yes_ask === null ? null : 1 - p.yes_ask, ask: p.yes_bid === null ? null : 1 - p.yes_bid };
}

function onPrice(p: PriceUpdate, tsUs: number): void {
  const gameId = p.game_id ?? marketGame.get(mkey(p.venue, p.market_id));
  const row = gameId ? games.get(gameId) : undefined;
  if (!row) return;
  row.prices.set(mkey(p.venue, p.market_id), p);
  row.flash = true;
  const q = homeQuote(row, p);
  if (q) {
    const base = p.venue === 'kalshi' ? 1 : 3;
    seriesOf(row.info.game_id).add(tsUs / 1e6, { [base]: q.bid, [base + 1]: q.ask });
    if (row.info.game_id === selected) markDirty('chart');
  }
  markDirty('games');
}

function onGameState(s: GameState, tsUs: number): void {
  const row = games.get(s.game_id);
  if (!row) return;
  row.state = s;
  seriesOf(s.game_id).add(tsUs / 1e6, { 0: s.model_home_prob });
  if (s.game_id === selected) markDirty('chart');
  markDirty('games');
}

function onSignal(sig: TradeSignal, tsUs: number): void {
  const row = games.get(sig.game_id);
  if (!row) return;
  seriesOf(sig.game_id).add(tsUs / 1e6, { 5: sig.model_prob ?? sig.legs[0]?.yes_price ?? null });
  if (sig.game_id === selected) markDirty('chart');
}

function onTrade(view: TradeView): void {
  if (trades.some((t) => t.trade.trade_id === view.trade.trade_id)) return;
  trades.unshift(view);
  trades.sort((a, b) => b.ts - a.ts);
  if (trades.length > 100) trades.length = 100;
  const fill = view.trade.fills[0];
  const row = games.get(view.trade.game_id);
  if (fill && row) {
    const ref = row.info.markets.find((m) => m.venue === fill.venue && m.market_id === fill.market_id);
    seriesOf(row.info.game_id).add(view.ts / 1e6, { 6: ref?.outcome === 'away' ? 1 - fill.yes_price : fill.yes_price });
    if (row.info.game_id === selected) markDirty('chart');
  }
  markDirty('trades');
}

function onPosition(p: Position): void {
  if (p.state === 'open') positions.set(p.position_id, p);
  else positions.delete(p.position_id);
  markDirty('positions');
}

function noteLatency(e: WsEvent): void {
  const family = e.topic.split('.').slice(0, e.topic.startsWith('prices.') || e.topic.startsWith('signals.') || e.topic.startsWith('trades.') ? 2 : 1).join('.');
  let l = latency.get(family);
  if (!l) latency.set(family, (l = { pub: [], browser: [] }));
  l.pub.push((e.ts - e.origin_ts) / 1000);
  l.browser.push(Date.now() - e.ts / 1000);
  if (l.pub.length > 200) {
    l.pub.shift();
    l.browser.shift();
  }
}

function onEvent(e: WsEvent, live: boolean): void {
  if (live) noteLatency(e);
  switch (e.type) {
    case 'game_info':
      putGame(e.data as GameInfo);
      return markDirty('games');
    case 'game_state':
      return onGameState(e.data as GameState, e.ts);
    case 'price':
      return onPrice(e.data as PriceUpdate, e.ts);
    case 'trade_signal':
      return onSignal(e.data as TradeSignal, e.ts);
    case 'trade_completed': {
      const trade = e.data as TradeCompleted;
      const code = trade.reason === null ? null : (/^([A-Z][A-Z0-9_]+):/.exec(trade.reason)?.[1] ?? 'OTHER');
      return onTrade({ stream_id: '', ts: e.ts, origin_ts: e.origin_ts, trade, reason_code: code });
    }
    case 'position':
      return onPosition(e.data as Position);
    case 'health_alert':
      return audit(`health: ${String((e.data as { message?: string }).message ?? '')}`, 'refused');
  }
}

function onMessage(m: WsServerMessage): void {
  switch (m.kind) {
    case 'event':
      return onEvent(m, true);
    case 'snapshot':
      for (const e of m.events) onEvent(e, false);
      return;
    case 'status':
      status = m;
      return markDirty('kpis', 'services', 'funnel');
    case 'error':
      return audit(`stream: ${m.code}: ${m.message}`, 'failed');
    case 'dropped':
      return audit(`stream: ${m.count} messages dropped (browser too slow)`, 'refused');
  }
}

// ---- rendering -------------------------------------------------------------------------------------

function render(): void {
  frame = 0;
  if (dirty.has('kpis')) renderKpis();
  if (dirty.has('games')) renderGames();
  if (dirty.has('chart')) chart.show(selected ? (series.get(selected) ?? null) : null);
  if (dirty.has('positions')) renderPositions();
  if (dirty.has('trades')) renderTrades();
  if (dirty.has('funnel') && status) renderFunnel(status.funnel);
  if (dirty.has('services') && status) renderServices(status.services);
  dirty.clear();
}

function setText(id: string, text: string, cls = ''): void {
  const el = $(id);
  el.textContent = text;
  el.className = cls;
}

function renderKpis(): void {
  const a: AccountView | undefined = status?.account;
  if (!a) return;
  const mode = $('mode');
  mode.textContent = a.mode === 'live' ? 'LIVE' : a.mode === 'unknown' ? 'no trades yet' : a.mode.toUpperCase();
  mode.className = `badge ${a.mode}`;
  const today = (a.day_realised_cc ?? 0) + a.unrealised_cc;
  const total = (a.realised_cc ?? 0) + a.unrealised_cc;
  setText('pnl-today', usd(today), signClass(today));
  setText('pnl-total', usd(total), signClass(total));
  setText('exposure', usd(a.open_exposure_cc));
  setText('winrate', a.win_rate === null ? '–' : `${pct(a.win_rate)} of ${a.closed_count}`);
  setText('drawdown', usd(-a.max_drawdown_cc), a.max_drawdown_cc > 0 ? 'neg' : '');
  const kill = $('kill');
  kill.textContent = `Kill switch: ${a.control.kill_switch ? 'ON' : 'off'}`;
  kill.classList.toggle('on', a.control.kill_switch);
  kill.dataset.state = a.control.kill_switch ? 'on' : 'off';
  const pause = $('pause');
  pause.textContent = `Entries: ${a.control.entries_paused ? 'PAUSED' : 'open'}`;
  pause.classList.toggle('on', a.control.entries_paused);
  pause.dataset.state = a.control.entries_paused ? 'on' : 'off';
  const svcs = status?.services ?? [];
  const healthy = svcs.filter((s) => s.status === 'healthy').length;
  setText('svc-health', `${healthy}/${svcs.length}`, healthy === svcs.length ? 'pos' : 'neg');
}

function quote(row: GameRow, venue: string): string {
  const prices = [...row.prices.values()].filter((p) => p.venue === venue);
  const home = prices.find((p) => row.info.markets.some((m) => m.market_id === p.market_id && m.outcome === 'home')) ?? prices[0];
  if (!home) return '<span class="dim">–</span>';
  return `${cents(home.yes_bid)} / ${cents(home.yes_ask)}${home.team ? ` <span class="dim">${esc(home.team)}</span>` : ''}`;
}

function renderGames(): void {
  const order: Record<string, number> = { live: 0, halftime: 0, delayed: 1, scheduled: 2, final: 3 };
  const rows = [...games.values()].sort((a, b) => (order[a.state?.status ?? a.info.status] ?? 4) - (order[b.state?.status ?? b.info.status] ?? 4) || a.info.start_time.localeCompare(b.info.start_time));
  $('games').querySelector('tbody')!.innerHTML = rows
    .map((g) => {
      const s = g.state;
      const st = s?.status ?? g.info.status;
      const score = s ? `${g.info.away.abbr} ${s.away_score} – ${s.home_score} ${g.info.home.abbr}` : `${esc(g.info.away.abbr)} @ ${esc(g.info.home.abbr)}`;
      const cls = [g.info.game_id === selected ? 'sel' : '', g.flash ? 'flash' : ''].join(' ');
      g.flash = false;
      return `<tr data-game="${esc(g.info.game_id)}" class="${cls}"><td>${esc(g.info.sport.toUpperCase())} ${esc(g.info.name)}</td><td>${esc(score)}</td><td>${st === 'live' && s ? clock(s.period, s.clock_s) : esc(st)}</td><td>${cents(s?.model_home_prob)}</td><td class="q-kalshi">${quote(g, 'kalshi')}</td><td class="q-poly">${quote(g, 'poly')}</td></tr>`;
    })
    .join('');
  const sel = selected ? games.get(selected) : undefined;
  $('chart-title').textContent = sel ? `Game chart: ${sel.info.name}` : 'Game chart';
}

function renderPositions(): void {
  const list = [...positions.values()].sort((a, b) => b.opened_ts - a.opened_ts);
  $('positions').querySelector('tbody')!.innerHTML =
    list
      .map(
        (p) =>
          `<tr><td title="${esc(games.get(p.game_id)?.info.name ?? p.game_id)}: ${esc(p.market_id)}">${esc(p.venue)} ${esc(p.team ?? shortId(p.market_id))} <span class="dim">${esc(games.get(p.game_id)?.info.sport.toUpperCase() ?? '')}</span></td><td>${esc(p.side)}</td><td>${p.contracts}</td><td>${cents(p.avg_yes_price)}</td><td>${cents(p.mark_yes_price)}</td><td class="${signClass(p.unrealized_pnl_cc)}">${usd(p.unrealized_pnl_cc)}</td><td><button class="danger" data-flatten="${esc(p.position_id)}">Flatten</button></td></tr>`,
      )
      .join('') || '<tr><td colspan="7" class="dim">no open positions</td></tr>';
}

function renderTrades(): void {
  $('trades').querySelector('tbody')!.innerHTML = trades
    .slice(0, 50)
    .map((v) => {
      const t = v.trade;
      const fills = t.fills.map((f) => `${f.action} ${f.contracts} ${f.side} ${f.venue} @${cents(f.yes_price)} fee ${usd(f.fee_cc)}`).join('; ');
      const cls = t.status === 'filled' ? 'pos' : t.status === 'partial' ? '' : 'neg';
      return `<tr class="trade"><td>${timeOf(v.ts)}</td><td>${esc(games.get(t.game_id)?.info.name ?? t.game_id)}</td><td class="${cls}">${esc(t.status)}${t.source === 'exit' ? ' (exit)' : ''}</td><td>${esc(fills) || '<span class="dim">–</span>'}</td><td title="${esc(t.reason ?? '')}">${esc(v.reason_code ?? '')}</td></tr>`;
    })
    .join('');
}

function renderFunnel(rows: FunnelRow[]): void {
  $('funnel').querySelector('tbody')!.innerHTML = rows
    .map((r) => {
      const reasons = Object.entries(r.rejected_by_reason).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${esc(c)} ${n}`).join(', ');
      return `<tr><td>${esc(r.kind)}</td><td>${r.signals}</td><td>${r.decided}</td><td class="pos">${r.filled}</td><td>${r.rejected}${reasons ? ` <span class="dim">(${reasons})</span>` : ''}</td></tr>`;
    })
    .join('');
}

/** Long ids (Polymarket token ids are 77 digits) shortened for a table cell; the full id is in the title. */
const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 6)}…${id.slice(-6)}` : id);

const median = (xs: number[]) => (xs.length === 0 ? null : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

function renderServices(list: ServiceView[]): void {
  $('services').querySelector('tbody')!.innerHTML = list
    .map((s) => `<tr><td>${esc(s.service)}.${esc(s.instance)}</td><td class="${s.status === 'healthy' ? 'pos' : 'neg'}">${esc(s.status)}</td><td>${age(s.age_ms)} ago</td><td>${age(s.uptime_ms)}</td></tr>`)
    .join('');
  $('latency').querySelector('tbody')!.innerHTML = [...latency]
    .map(([family, l]) => `<tr><td>${esc(family)}</td><td>${median(l.pub)?.toFixed(2) ?? '–'}</td><td>${median(l.browser)?.toFixed(1) ?? '–'}</td></tr>`)
    .join('');
}

// ---- controls --------------------------------------------------------------------------------------

function audit(text: string, result: string): void {
  const li = document.createElement('li');
  li.className = result;
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('audit').prepend(li);
}

/** Asks for confirmation (and the token when none is stored); resolves true to go ahead. */
function confirmAction(text: string): Promise<boolean> {
  const dialog = $<HTMLDialogElement>('confirm');
  $('confirm-text').textContent = text;
  const input = $<HTMLInputElement>('token-input');
  input.value = '';
  $('token-row').style.display = tokenStore.get() === '' ? '' : 'none';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue === 'ok' && input.value.trim() !== '') tokenStore.set(input.value.trim());
        resolve(dialog.returnValue === 'ok');
      },
      { once: true },
    );
  });
}

async function control(text: string, path: string, body: unknown): Promise<void> {
  if (!(await confirmAction(text))) return;
  const r = await postControl(path, body);
  audit(r.text, r.ok ? 'ok' : 'refused');
  if (r.result?.state && status) {
    status.account.control = r.result.state;
    markDirty('kpis');
  }
}

function wireControls(): void {
  $('kill').onclick = () => {
    const on = $('kill').dataset.state !== 'on';
    void control(on ? 'Turn the kill switch ON? Execution rejects every new order.' : 'Turn the kill switch off? Trading resumes.', '/api/control/kill-switch', { on });
  };
  $('pause').onclick = () => {
    const paused = $('pause').dataset.state !== 'on';
    void control(paused ? 'Pause new entries (reduce-only)? Exits still run.' : 'Resume new entries?', '/api/control/entries', { paused });
  };
  $('flatten-game').onclick = () => {
    const g = selected ? games.get(selected) : undefined;
    if (g) void control(`Flatten every open position of ${g.info.name}?`, '/api/control/flatten-game', { game_id: g.info.game_id });
  };
  $('close-all').onclick = () => void control('Close ALL open positions and pause new entries?', '/api/control/close-all', { confirm: true });
  $('token-btn').onclick = () => {
    const t = prompt('Bearer token for controls (empty to forget):', '');
    if (t !== null) tokenStore.set(t.trim());
  };
  $('positions').addEventListener('click', (ev) => {
    const id = (ev.target as HTMLElement).dataset.flatten;
    if (id) void control(`Flatten position ${id}?`, '/api/control/flatten', { position_id: id });
  });
  $('games').addEventListener('click', (ev) => {
    const tr = (ev.target as HTMLElement).closest('tr');
    if (tr?.dataset.game) {
      selected = tr.dataset.game;
      markDirty('games', 'chart');
    }
  });
}

// ---- start -----------------------------------------------------------------------------------------

async function loadOnce(): Promise<void> {
  const [g, p, t] = await Promise.all([
    getJson<{ items: GameView[] }>('/api/games?limit=500'),
    getJson<Page<PositionView>>('/api/positions?state=open&limit=500'),
    getJson<Page<TradeView>>('/api/trades?limit=50'),
  ]);
  for (const v of g.items) {
    const row = putGame(v.info, v.state);
    for (const price of v.prices) row.prices.set(mkey(price.venue, price.market_id), price);
  }
  for (const v of p.items) positions.set(v.position.position_id, v.position);
  for (const v of t.items) onTrade(v);
  markDirty('games', 'positions', 'trades', 'chart');
}

wireControls();
loadOnce()
  .catch((err: unknown) => audit(`initial load failed: ${String(err)}${/HTTP 401/.test(String(err)) ? ' (this api needs the token for reads: press Token, then reload)' : ''}`, 'failed'))
  .finally(() => new LiveStream(onMessage, (s) => setText('conn', s, s === 'live' ? 'pos' : 'neg')).connect());
