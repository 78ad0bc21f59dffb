/**
 * The benchmark row format of DESIGN §8. A figure with a baseline is measured beside it in
 * the same run, on the same data; `ratio` = value / baseline value.
 */
export type BenchRow = {
  name: string
  value: number
  unit: string
  baseline?: string
  ratio?: number
}

/** What the runner hands a benchmark: its abort signal and a line logger. */
export type BenchOptions = { signal: AbortSignal; log: (msg: string) => void }

/** A benchmark module: `bench/<name>.ts` exports `run` and returns its rows. */
export type BenchModule = {
  run(options: BenchOptions): Promise<BenchRow[]>
}

/** Adds `ratio` against the row named `baseline` (same run). */
export function withRatio(row: BenchRow, rows: BenchRow[]): BenchRow {
  if (!row.baseline) return row
  const base = rows.find((r) => r.name === row.baseline)
  if (!base || base.value === 0) return row
  return { ...row, ratio: Number((row.value / base.value).toFixed(3)) }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, idx)]!
}

/** The median of a set of rounds (the upper one of an even count), NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((x, y) => x - y)
  return s[Math.floor(s.length / 2)] as number
}

export function formatTable(name: string, rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.name,
    Number.isInteger(r.value)
      ? String(r.value)
      : Math.abs(r.value) < 0.01
        ? r.value.toExponential(2) // a small ratio (bytes per byte) would print as 0.00
        : r.value.toFixed(2),
    r.unit,
    r.baseline ?? '',
    r.ratio === undefined ? '' : r.ratio.toFixed(3),
  ])
  const head = ['row', 'value', 'unit', 'baseline', 'ratio']
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ')
  return [`# ${name}`, line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join(
    '\n',
  )
}
