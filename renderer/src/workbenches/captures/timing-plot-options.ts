/**
 * The timing plot's uPlot options, apart from the component so the benchmark draws exactly what
 * the workbench draws (test/bench/timing-plot.ts): points only (no lines between unrelated
 * transactions), one series per kind, the x axis in time units, drag to select a range.
 */
import type uPlot from 'uplot';
import { TIMING_KINDS, type TimingKind } from '#core/ipc/channels/values.js';
import { timeLabels } from './time-axis.js';

export const TIMING_LABELS: Record<TimingKind, string> = { apdu: 'APDU', 'apdu-error': 'error SW', pin: 'PIN entry' };

export interface TimingPlotSetup {
  width: number;
  height: number;
  /** Canvas colours (a canvas cannot read CSS variables): axis text, grid, one per TIMING_KINDS. */
  colors: { muted: string; grid: string; series: readonly string[] };
  onXTicks?: (labels: string[]) => void;
  /** The point (data index) under the cursor, or undefined. */
  onHover?: (point: number | undefined) => void;
  /** A range dragged out on the x axis, in ms. */
  onSelectRange?: (fromMs: number, toMs: number) => void;
  onDraw?: (u: uPlot) => void;
  onReady?: (u: uPlot) => void;
}

/** uPlot's aligned data from the backend's points: one x array, one y array per kind (null where the point is another kind's). */
export function timingPlotData(points: { timeMs: number[]; durationMs: number[]; kind: number[] }): uPlot.AlignedData {
  return [points.timeMs, ...TIMING_KINDS.map((_, k) => points.kind.map((kind, i) => (kind === k ? points.durationMs[i]! : null)))];
}

export function timingPlotOptions(setup: TimingPlotSetup): uPlot.Options {
  const { muted, grid } = setup.colors;
  const axis = { stroke: muted, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  return {
    width: setup.width,
    height: setup.height,
    legend: { show: false },
    scales: { x: { time: false, auto: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 9 } },
    axes: [
      {
        ...axis,
        // Labels carry their unit ("7525 ms"): more room between ticks than uPlot's default 50 px.
        space: 90,
        values: (u, splits) => {
          const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
          const step = splits.length > 1 ? splits[1]! - splits[0]! : span;
          const labels = timeLabels(splits, step, span);
          setup.onXTicks?.(labels);
          return labels;
        },
      },
      { ...axis, size: 56, values: (_u, splits) => splits.map((v) => `${+v.toFixed(3)}`) },
    ],
    series: [
      {},
      ...TIMING_KINDS.map((kind, k) => {
        const c = setup.colors.series[k] ?? muted;
        return { label: TIMING_LABELS[kind], stroke: c, paths: () => null, points: { show: true, size: 5, stroke: c, fill: c } };
      }),
    ],
    hooks: {
      setCursor: [(u) => setup.onHover?.(u.cursor.idx ?? undefined)],
      setSelect: [
        (u) => {
          if (u.select.width < 4) return;
          const from = u.posToVal(u.select.left, 'x');
          const to = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          setup.onSelectRange?.(from, to);
        },
      ],
      draw: [(u) => setup.onDraw?.(u)],
      ready: [(u) => setup.onReady?.(u)],
    },
  };
}
