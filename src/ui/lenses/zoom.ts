/**
 * The image viewer's zoom: fitted to the screen (`null`), or a scale of the picture's own
 * pixels from a fixed ladder. Zooming in from fitted shows the picture at full size (1).
 */
export const ZOOM_STEPS = [0.25, 0.5, 1, 1.5, 2, 3, 4] as const

/**
 * The zoom one step in (`dir` 1) or out (−1) from `zoom`; out from the smallest step fits.
 * @example stepZoom(null, 1) // 1
 * @example stepZoom(1, 1) // 1.5
 * @example stepZoom(0.25, -1) // null
 */
export function stepZoom(zoom: number | null, dir: 1 | -1): number | null {
  if (zoom === null) return dir === 1 ? 1 : null
  if (dir === 1) return ZOOM_STEPS.find((s) => s > zoom) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1]!
  return [...ZOOM_STEPS].reverse().find((s) => s < zoom) ?? null
}
