import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { currentLocale } from '../i18n/index.ts';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  dash?: number[];
}

/**
 * A line chart of the seat pool over time (uPlot: small and fast, loaded only with the statistics
 * page). It is decoration for sighted readers: the same figures are in the table beside it, and
 * the canvas is hidden from assistive technology.
 */
export function LineChart({ labels, series, xLabel, height = 260 }: { labels: string[]; series: ChartSeries[]; xLabel: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // x: the bucket's index (labels are local dates or hours, drawn by the axis' own formatter).
    const xs = labels.map((_, i) => i);
    const format = new Intl.NumberFormat(currentLocale(), { maximumFractionDigits: 1 });
    const plot = new uPlot(
      {
        width: el.clientWidth || 800,
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { values: (_u, ticks) => ticks.map((i) => labels[i] ?? ''), space: 70 },
          { values: (_u, ticks) => ticks.map((v) => format.format(v)), size: 56 },
        ],
        series: [{ label: xLabel, value: (_u, i) => (i === null ? '' : (labels[i] ?? '')) }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.dash && { dash: s.dash }), value: (_u: uPlot, v: number | null) => (v === null ? '' : format.format(v)) }))],
      },
      [xs, ...series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [labels, series, xLabel, height]);
  return <div ref={box} className="stats-chart" aria-hidden="true" />;
}
