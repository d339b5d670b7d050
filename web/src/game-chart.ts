/**
 * The per-game chart (uPlot): model home win probability and both venues' home bid/ask over time,
 * with markers at each signal and fill. Samples are kept per game (bounded), so switching games
 * shows what was heard since the page opened.
 */
import uPlot from 'uplot';

const MAX_POINTS = 1_500;
export const CHART_SERIES = ['model', 'kalshi bid', 'kalshi ask', 'poly bid', 'poly ask', 'signal', 'fill'] as const;
type Row = (number | null)[];

export class GameSeries {
  readonly t: number[] = [];
  readonly cols: Row[] = CHART_SERIES.map(() => []);
  /** Last known value of each line (markers are not carried). */
  readonly last: (number | null)[] = [null, null, null, null, null];

  add(tSec: number, updates: Partial<Record<number, number | null>>): void {
    for (const [i, v] of Object.entries(updates)) if (Number(i) < 5) this.last[Number(i)] = v ?? null;
    this.t.push(tSec);
    this.cols.forEach((col, i) => col.push(i < 5 ? this.last[i]! : (updates[i] ?? null)));
    if (this.t.length > MAX_POINTS) {
      this.t.shift();
      for (const col of this.cols) col.shift();
    }
  }
}

export class GameChart {
  #plot: uPlot | null = null;

  constructor(private readonly el: HTMLElement) {
    new ResizeObserver(() => this.#plot?.setSize(this.#size())).observe(el);
  }

  show(series: GameSeries | null): void {
    const data = series ? ([series.t, ...series.cols] as uPlot.AlignedData) : ([[], ...CHART_SERIES.map(() => [])] as unknown as uPlot.AlignedData);
    if (this.#plot === null) {
      this.#plot = new uPlot(this.#options(), data, this.el);
      return;
    }
    this.#plot.setData(data);
  }

  #size(): { width: number; height: number } {
    return { width: Math.max(280, this.el.clientWidth), height: window.innerWidth < 760 ? 220 : 280 };
  }

  #options(): uPlot.Options {
    const line = (label: string, stroke: string, dash?: number[]): uPlot.Series => ({ label, stroke, width: 1.5, spanGaps: true, ...(dash ? { dash } : {}), value: (_u, v) => (v == null ? '–' : (v * 100).toFixed(1)) });
    const marker = (label: string, fill: string, size: number): uPlot.Series => ({ label, stroke: fill, fill, width: 0, paths: () => null, points: { show: true, size, fill, stroke: fill } });
    return {
      ...this.#size(),
      scales: { y: { range: [0, 1] } },
      axes: [{ stroke: '#8a96a3', grid: { stroke: '#27313d' } }, { stroke: '#8a96a3', grid: { stroke: '#27313d' }, values: (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}`) }],
      series: [
        {},
        line('model', '#f0f6fc'),
        line('kalshi bid', '#3fb950'),
        line('kalshi ask', '#3fb950', [4, 3]),
        line('poly bid', '#a371f7'),
        line('poly ask', '#a371f7', [4, 3]),
        marker('signal', '#d29922', 9),
        marker('fill', '#58a6ff', 8),
      ],
      legend: { live: true },
    };
  }
}
