/**
 * The arithmetic of a line chart, apart from its markup (LineChart.svelte): extents of the data,
 * "nice" tick steps (1, 2, 5 × 10ⁿ for values; seconds to weeks for time), linear scales, and
 * SVG path data. Pure, so it is tested without a DOM.
 */

export type Point = { x: number; y: number }
export type Extent = [number, number]

/** The chart's size in SVG user units and the room kept for the axes' labels. */
export type Frame = {
  width: number
  height: number
  margin: { top: number; right: number; bottom: number; left: number }
}

/**
 * The smallest and largest finite value, widened so the extent is never empty or flat:
 * `zero` includes 0 (and grows away from it), `minSpan` is the least width.
 * @example extentOf([5, 5], { zero: true }) // [0, 5]
 */
export function extentOf(
  values: Iterable<number>,
  opts: { zero?: boolean; minSpan?: number } = {},
): Extent {
  let lo = Number.POSITIVE_INFINITY
  let hi = Number.NEGATIVE_INFINITY
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    if (v < lo) lo = v
    if (v > hi) hi = v
  }
  if (lo > hi) {
    lo = 0
    hi = 0
  }
  if (opts.zero) {
    lo = Math.min(lo, 0)
    hi = Math.max(hi, 0)
  }
  const span = Math.max(opts.minSpan ?? 0, hi - lo) || Math.abs(hi) || 1
  if (hi - lo >= span) return [lo, hi]
  if (opts.zero && lo === 0) return [0, span]
  if (opts.zero && hi === 0) return [-span, 0]
  const mid = (lo + hi) / 2
  return [mid - span / 2, mid + span / 2]
}

/** Rounds away float noise (0.1 + 0.2) so labels and tests see 0.3. */
const clean = (v: number): number => Number(v.toPrecision(12))

/** A step of 1, 2 or 5 × 10ⁿ near `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1
  const mag = 10 ** Math.floor(Math.log10(raw))
  const r = raw / mag
  return clean((r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag)
}

const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const TIME_STEPS = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  30 * DAY,
]

/** A step of clock time (ms) near `raw`: seconds, minutes, hours, days; 1, 2, 5 × 10ⁿ beyond. */
export function timeStep(raw: number): number {
  for (const step of TIME_STEPS) if (step >= raw) return step
  return niceStep(raw / (30 * DAY)) * 30 * DAY
}

/**
 * Multiples of `step` inside `extent` (both ends included when they fall on one).
 * @example ticksOf([0, 1], 0.25) // [0, 0.25, 0.5, 0.75, 1]
 */
export function ticksOf([lo, hi]: Extent, step: number): number[] {
  if (!(step > 0) || hi < lo) return []
  const out: number[] = []
  const first = Math.ceil(clean(lo / step))
  const last = Math.floor(clean(hi / step))
  for (let k = first; k <= last && out.length < 1000; k++) out.push(clean(k * step))
  return out
}

/** The extent grown outwards to whole steps, so the top tick sits on the plot's edge. */
export function niceExtent([lo, hi]: Extent, step: number): Extent {
  return [clean(Math.floor(clean(lo / step)) * step), clean(Math.ceil(clean(hi / step)) * step)]
}

/**
 * A linear map from `domain` to `range`; a flat domain maps everything to the range's middle.
 * @example scaleLinear([0, 10], [0, 100])(2.5) // 25
 */
export function scaleLinear([d0, d1]: Extent, [r0, r1]: Extent): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2
  const k = (r1 - r0) / (d1 - d0)
  return (v) => r0 + (v - d0) * k
}

const px = (v: number): number => Math.round(v * 100) / 100

/**
 * SVG path data through the points, in order: `M x,y L x,y …` (two decimals); '' for none.
 * @example pathOf([{ x: 0, y: 0 }, { x: 1, y: 2 }], (x) => x * 10, (y) => 100 - y) // 'M0,100L10,98'
 */
export function pathOf(
  points: readonly Point[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  let d = ''
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue
    d += `${d ? 'L' : 'M'}${px(sx(p.x))},${px(sy(p.y))}`
  }
  return d
}

export type Tick = { value: number; at: number }

export type ChartLayout = {
  /** One per series, in order: the path data and the last point (null when empty), in pixels. */
  lines: { d: string; end: Point | null }[]
  xTicks: Tick[]
  yTicks: Tick[]
  /** The plot area in pixels: left, right, top, bottom. */
  plot: { x0: number; x1: number; y0: number; y1: number }
  xExtent: Extent
  yExtent: Extent
  /** The x ticks' step, for labels that need it ({@link timeLabel}). */
  xStep: number
  empty: boolean
}

export type LayoutOptions = {
  /** x values are epoch milliseconds: clock-time steps. */
  time?: boolean
  /** Include 0 on the y axis (amounts, counts). Default true. */
  yZero?: boolean
  /** Least width of the x extent (e.g. a minute of time). */
  xMinSpan?: number
  /** About how many ticks per axis. */
  xTicks?: number
  yTicks?: number
}

/**
 * Everything the chart draws, in pixels of `frame`: scaled paths, ticks on both axes.
 * @example layoutChart([[{ x: 0, y: 0 }, { x: 1, y: 1 }]], frame).lines[0].d
 */
export function layoutChart(
  series: readonly (readonly Point[])[],
  frame: Frame,
  opts: LayoutOptions = {},
): ChartLayout {
  const { width, height, margin } = frame
  const plot = {
    x0: margin.left,
    x1: width - margin.right,
    y0: margin.top,
    y1: height - margin.bottom,
  }
  const all = series.flat()
  const xExtent = extentOf(
    all.map((p) => p.x),
    { minSpan: opts.xMinSpan ?? (opts.time ? MINUTE : 0) },
  )
  const rawY = extentOf(
    all.map((p) => p.y),
    { zero: opts.yZero ?? true },
  )
  const yStep = niceStep((rawY[1] - rawY[0]) / (opts.yTicks ?? 4))
  const yExtent = niceExtent(rawY, yStep)
  const xRaw = (xExtent[1] - xExtent[0]) / (opts.xTicks ?? 4)
  const xStep = opts.time ? timeStep(xRaw) : niceStep(xRaw)
  const sx = scaleLinear(xExtent, [plot.x0, plot.x1])
  const sy = scaleLinear(yExtent, [plot.y1, plot.y0])
  const lines = series.map((points) => {
    const last = points.at(-1)
    return {
      d: pathOf(points, sx, sy),
      end: last ? { x: px(sx(last.x)), y: px(sy(last.y)) } : null,
    }
  })
  return {
    lines,
    // No data, no time to label (the extent is made up).
    xTicks:
      all.length === 0
        ? []
        : ticksOf(xExtent, xStep).map((value) => ({ value, at: px(sx(value)) })),
    yTicks: ticksOf(yExtent, yStep).map((value) => ({ value, at: px(sy(value)) })),
    plot,
    xExtent,
    yExtent,
    xStep,
    empty: all.length === 0,
  }
}

/**
 * A short label for an axis value: up to 3 significant digits, exponent for the very small
 * or large. @example numberLabel(0.000125) // '1.25e-4'
 */
export function numberLabel(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v === 0 ? 0 : v)
  const a = Math.abs(v)
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(3)))
  return v
    .toExponential(2)
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e')
}

/** A clock-time label as fine as the ticks' step: seconds, time of day, or the date. */
export function timeLabel(ms: number, step: number): string {
  const d = new Date(ms)
  if (step >= DAY) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
  return d.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    ...(step < MINUTE ? { second: '2-digit' } : {}),
  })
}
