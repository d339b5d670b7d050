/**
 * The report as one self-contained HTML page: the Markdown's figures plus inline SVG charts
 * (equity curve, exposure, P&L by sport, calibration), no script, no style sheet or font from the
 * network, so it opens from a file anywhere.
 */
import { dollars, duration, num, pct, points, usd, when } from './report-format.js';
import type { PnlRow, Report } from './report-types.js';

const W = 640;
const H = 240;
const PAD = { l: 64, r: 16, t: 16, b: 32 };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '0');

/** A line chart of (x, y) points with labelled y range; empty-state text without points. */
function lineChart(id: string, title: string, pts: readonly { x: number; y: number }[], yLabel: (y: number) => string, xLabel: (x: number) => string): string {
  if (pts.length === 0) return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption><p class="none">No data in this period.</p></figure>`;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(0, ...ys)];
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.t - PAD.b);
  const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${f2(sx(p.x))},${f2(sy(p.y))}`).join(' ');
  return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption>
<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">
<line x1="${PAD.l}" y1="${f2(sy(0))}" x2="${W - PAD.r}" y2="${f2(sy(0))}" class="axis"/>
<text x="${PAD.l - 6}" y="${f2(sy(y1) + 4)}" text-anchor="end">${escapeHtml(yLabel(y1))}</text>
<text x="${PAD.l - 6}" y="${f2(sy(y0) + 4)}" text-anchor="end">${escapeHtml(yLabel(y0))}</text>
<text x="${PAD.l}" y="${H - 8}">${escapeHtml(xLabel(x0))}</text>
<text x="${W - PAD.r}" y="${H - 8}" text-anchor="end">${escapeHtml(xLabel(x1))}</text>
<path d="${path}" class="line"/>
</svg></figure>`;
}

function barChart(id: string, title: string, rows: readonly PnlRow[]): string {
  if (rows.length === 0) return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption><p class="none">No closed positions.</p></figure>`;
  const max = Math.max(1, ...rows.map((r) => Math.abs(r.realisedCc)));
  const rowH = 24;
  const h = rows.length * rowH + 8;
  const mid = PAD.l + 80 + (W - PAD.l - 80 - PAD.r) / 2;
  const half = (W - PAD.l - 80 - PAD.r) / 2;
  const bars = rows.map((r, i) => {
    const w = (Math.abs(r.realisedCc) / max) * (half - 72); // room for the label
    const x = r.realisedCc >= 0 ? mid : mid - w;
    const y = 4 + i * rowH;
    return `<text x="${PAD.l + 72}" y="${y + 15}" text-anchor="end">${escapeHtml(r.key)}</text>
<rect x="${f2(x)}" y="${y + 3}" width="${f2(w)}" height="${rowH - 8}" class="${r.realisedCc >= 0 ? 'gain' : 'loss'}"/>
<text x="${f2(r.realisedCc >= 0 ? x + w + 4 : x - 4)}" y="${y + 15}" text-anchor="${r.realisedCc >= 0 ? 'start' : 'end'}">${escapeHtml(usd(r.realisedCc))}</text>`;
  });
  return `<figure id="${id}"><figcaption>${escapeHtml(title)}</figcaption>
<svg viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="${escapeHtml(title)}">
<line x1="${f2(mid)}" y1="0" x2="${f2(mid)}" y2="${h}" class="axis"/>
${bars.join('\n')}
</svg></figure>`;
}

function calibrationChart(r: Report): string {
  const bins = r.calibration.reliability.filter((b) => b.n > 0 && b.meanPredicted !== null && b.observedRate !== null);
  const title = 'Calibration: predicted vs observed home win rate';
  if (bins.length === 0) return `<figure id="calibration"><figcaption>${title}</figcaption><p class="none">No finished game with model probabilities.</p></figure>`;
  const S = 240;
  const p = 32;
  const s = (v: number) => p + v * (S - 2 * p);
  const maxN = Math.max(...bins.map((b) => b.n));
  const dots = bins.map((b) => `<circle cx="${f2(s(b.meanPredicted!))}" cy="${f2(S - s(b.observedRate!))}" r="${f2(3 + 6 * Math.sqrt(b.n / maxN))}" class="dot"><title>${b.n} forecasts: predicted ${num(b.meanPredicted)}, observed ${num(b.observedRate)}</title></circle>`);
  return `<figure id="calibration"><figcaption>${title}</figcaption>
<svg viewBox="0 0 ${S} ${S}" width="${S}" height="${S}" role="img" aria-label="${title}">
<rect x="${p}" y="${p}" width="${S - 2 * p}" height="${S - 2 * p}" class="frame"/>
<line x1="${s(0)}" y1="${S - s(0)}" x2="${s(1)}" y2="${S - s(1)}" class="diag"/>
<text x="${p}" y="${S - 12}">0</text><text x="${S - p}" y="${S - 12}" text-anchor="end">predicted 1</text>
<text x="${p - 4}" y="${p + 4}" text-anchor="end">1</text>
${dots.join('\n')}
</svg></figure>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#1d2329;padding:0 16px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #d8dee4}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eef1f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}
svg text{font-size:11px;fill:#57606a}.axis{stroke:#8c959f;stroke-width:1}.line{fill:none;stroke:#0969da;stroke-width:2}
.gain{fill:#1a7f37}.loss{fill:#cf222e}.frame{fill:none;stroke:#d0d7de}.diag{stroke:#8c959f;stroke-dasharray:4 3}.dot{fill:#0969da;fill-opacity:.7}
.none{color:#57606a}.empty{padding:16px;background:#fff8c5;border:1px solid #d4a72c}`;

function rows(cells: readonly (readonly string[])[]): string {
  return cells.map((c) => `<tr>${c.map((x, i) => (i === 0 ? `<th>${escapeHtml(x)}</th>` : `<td class="n">${escapeHtml(x)}</td>`)).join('')}</tr>`).join('\n');
}

function pnlTable(title: string, data: readonly PnlRow[]): string {
  if (data.length === 0) return '';
  return `<h3>${escapeHtml(title)}</h3><table><tr><th></th><th>positions</th><th>realised</th><th>fees</th><th>win rate</th></tr>
${rows(data.map((r) => [r.key, String(r.positions), usd(r.realisedCc), usd(r.feesCc), pct(r.positions === 0 ? null : r.wins / r.positions)]))}</table>`;
}

export function renderHtml(r: Report): string {
  const tz = r.timeZone;
  const title = `arbees ${r.kind} report ${when(r.sinceUs, tz)} → ${when(r.untilUs, tz)}`;
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1><p>Generated ${escapeHtml(when(r.generatedUs, tz))}.</p>`;
  if (r.empty) return `${head}<p class="empty" id="empty">No history recorded in this period: no signals, trades, positions, game states or incidents.</p></body></html>\n`;
  const t = r.totals;
  const f = r.funnel;
  const c = r.calibration;
  const timeLabel = (us: number) => when(us, tz);
  return `${head}
<h2>Summary</h2><table id="summary">${rows([
    ['realised P&L (net of fees)', usd(t.realisedCc)],
    ['unrealised P&L', usd(t.unrealisedCc)],
    ['fees', `${usd(t.feesCc)} (drag ${pct(t.feeDrag)})`],
    ['win rate', `${pct(t.winRate)} of ${t.closedPositions}`],
    ['max drawdown', usd(t.maxDrawdownCc)],
    ['signals / trades / fills', `${t.signals} / ${t.trades} / ${t.fills}`],
  ])}</table>
${lineChart('equity', 'Equity curve (realised P&L)', r.equity.map((p) => ({ x: p.ts, y: dollars(p.equityCc) })), (y) => `$${y.toFixed(2)}`, timeLabel)}
${lineChart('exposure', 'Exposure (cost of open positions)', r.exposure.map((p) => ({ x: p.ts, y: dollars(p.exposureCc) })), (y) => `$${y.toFixed(2)}`, timeLabel)}
<h2>P&amp;L</h2>
${barChart('pnl-by-sport', 'Realised P&L by sport', r.pnlBySport)}
${pnlTable('By sport', r.pnlBySport)}${pnlTable('By signal kind', r.pnlByKind)}${pnlTable('By venue', r.pnlByVenue)}
<h2>Signal funnel</h2><table id="funnel">${rows([
    ['signals', String(f.signals)],
    ...f.bySignalKind.map((k) => [`  ${k.kind}`, String(k.count)]),
    ['decided', String(f.decided)], ['filled', String(f.filled)], ['partial', String(f.partial)], ['rejected', String(f.rejected)],
    ['failed', String(f.failed)], ['unknown', String(f.unknown)], ['no decision', String(f.undecided)],
    ...f.rejectedByReason.map((x) => [`rejected: ${x.reason}`, String(x.count)]),
  ])}</table>
<h2>Execution quality</h2><table>${rows([
    ['edge at signal', points(r.edge.atSignal)], ['edge at fill', points(r.edge.atFill)],
    ['slippage mean / p50 / p90', `${points(r.slippage.meanPoints)} / ${points(r.slippage.p50Points)} / ${points(r.slippage.p90Points)}`],
    ['slippage cost', usd(r.slippage.costCc)],
    ['holding time mean / p50 / p90', `${duration(r.holding.meanS)} / ${duration(r.holding.p50S)} / ${duration(r.holding.p90S)}`],
    ['closing-line value', `${points(r.closingLine.meanPoints)} (beat ${pct(r.closingLine.beatShare)} of ${r.closingLine.entries})`],
  ])}</table>
<h2>Model calibration</h2><p>${c.forecasts} forecasts over ${c.games} finished games. Brier: model ${num(c.brier, 4)}, ESPN ${num(c.espnBrier, 4)}, base rate ${num(c.baseRateBrier, 4)}.</p>
${calibrationChart(r)}
<h2>Incidents</h2><p>${r.incidents.total} incidents, ${r.incidents.deadLetters} dead-lettered entries.</p>
<ul>${r.incidents.recent.map((x) => `<li>${escapeHtml(when(x.ts, tz))} <b>${escapeHtml(x.severity)}</b> ${escapeHtml(x.kind)} (${escapeHtml(x.source)}): ${escapeHtml(x.message)}</li>`).join('\n')}</ul>
</body></html>
`;
}
