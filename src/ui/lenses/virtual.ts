/**
 * The arithmetic of the lenses' virtualised scroll (VirtualScroll.svelte), apart from the DOM
 * so it can be tested on its own. A layout is a column of rows: a list has one item per row, a
 * grid `columns` items per row. Rows have measured heights (an estimate until measured); the
 * rows whose box meets the viewport, widened by an overscan on each side, are rendered and
 * every other row is a spacer.
 */

/** Columns of at least `minCell` px (gaps of `gap` px between them) that fit in `width`; ≥ 1. */
export function columnsFor(width: number, minCell: number, gap: number): number {
  if (!(width > 0) || !(minCell > 0)) return 1
  return Math.max(1, Math.floor((width + gap) / (minCell + gap)))
}

/** The items of row `r` of a grid with `columns` columns: `[start, end)` indices. */
export function rowItems(r: number, columns: number, count: number): [number, number] {
  const start = r * columns
  return [Math.min(start, count), Math.min(start + columns, count)]
}

/** Rows needed for `count` items in `columns` columns. */
export function rowCount(count: number, columns: number): number {
  return Math.ceil(count / Math.max(1, columns))
}

/**
 * Row tops: `offsets[i]` is where row i starts and `offsets[n]` the total height. A row
 * without a measured height (`undefined`) counts as `estimate`.
 * @example offsetsOf([10, undefined, 30], 20) // [0, 10, 30, 60]
 */
export function offsetsOf(heights: readonly (number | undefined)[], estimate: number): number[] {
  const out = new Array<number>(heights.length + 1)
  let y = 0
  out[0] = 0
  for (let i = 0; i < heights.length; i++) {
    y += heights[i] ?? estimate
    out[i + 1] = y
  }
  return out
}

/** The first row whose bottom is below `y` (binary search over the row tops). */
function firstBelow(offsets: readonly number[], y: number): number {
  let lo = 0
  let hi = offsets.length - 1 // the row count
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((offsets[mid + 1] as number) > y) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The rows to render, `[start, end)`: every row that meets `[top − overscan, top + height +
 * overscan)`, in list coordinates (0 = the top of the first row). Empty when the window misses
 * the list.
 * @example visibleRows([0, 100, 200, 300], 150, 10, 0) // [1, 2]
 */
export function visibleRows(
  offsets: readonly number[],
  top: number,
  height: number,
  overscan: number,
): [number, number] {
  const n = offsets.length - 1
  const from = top - overscan
  const to = top + height + overscan
  if (n <= 0 || to <= 0 || from >= (offsets[n] as number)) return [0, 0]
  const start = firstBelow(offsets, Math.max(0, from))
  let end = start
  while (end < n && (offsets[end] as number) < to) end++
  return [start, end]
}
