import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatDuration } from '../format.ts';

const compact = (value: number): string => (value >= 1_000_000 ? `${(value / 1_000_000).toFixed(1)}M` : value >= 10_000 ? `${Math.round(value / 1000)}k` : value >= 1_000 ? `${(value / 1000).toFixed(1)}k` : `${Math.round(value)}`);

/**
 * One figure over time (uPlot on a canvas): `at` in ms since 1970, values with nulls for
 * gaps. A canvas says nothing to a screen reader, so the caption says the figure's last value
 * and its highest over the window in words.
 */
export function FigureChart({ title, unit, at, values, format }: { title: string; /** In words, for the caption: the axis shows bare numbers. */ unit: string; at: number[]; values: Array<number | null>; format: (value: number | null) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (element === null) return undefined;
    const chart = new uPlot({
      width: Math.max(280, element.clientWidth),
      height: 180,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      // Ticks as bare numbers (the caption says the unit): a unit on each would not fit.
      axes: [{}, { size: 56, values: (_u, ticks) => ticks.map((tick) => compact(tick)) }],
      series: [{}, { label: title, stroke: '#2463c7', width: 1.5, fill: 'rgba(36, 99, 199, 0.08)', spanGaps: false }],
    }, [[], []], element);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    // uPlot's time axis counts seconds.
    plot.current?.setData([at.map((ms) => ms / 1000), values]);
  }, [at, values]);

  const known = values.filter((v): v is number => v !== null);
  const last = values.length > 0 ? values[values.length - 1] ?? null : null;
  const highest = known.length > 0 ? Math.max(...known) : null;
  return (
    <figure class="chart">
      <figcaption><strong>{title}</strong> <span class="muted">({unit}) now {format(last)}, highest {format(highest)} over the last {at.length > 1 ? formatDuration(at[at.length - 1]! - at[0]!) : 'moments'}</span></figcaption>
      <div ref={box} role="img" aria-label={`${title} over time: now ${format(last)}, highest ${format(highest)}`} />
    </figure>
  );
}
