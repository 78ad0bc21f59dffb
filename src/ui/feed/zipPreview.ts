/**
 * The real preview of software or a site shipped as a ZIP: its README and a screenshot, found
 * by name while the archive streams through fflate's `Unzip` (only those entries are
 * inflated, nothing else is held, and reading stops once both are found or after
 * {@link SCAN_BYTES}). fflate: maintained, no dependencies, 8 kB, and it streams — the
 * platform's DecompressionStream inflates but does not read ZIP containers.
 */
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate'

/** How far into an archive to look. */
const SCAN_BYTES = 256 * 1024 * 1024
/** The largest README or screenshot taken from it. */
const ENTRY_BYTES = 16 * 1024 * 1024
const README = /^readme(\.(md|markdown|txt|rst))?$/i
const SHOT = /(screenshot|screen|preview|demo)[^/]*\.(png|jpe?g|webp|gif)$/i

export type ZipFinds = { readme?: Uint8Array; screenshot?: { name: string; bytes: Uint8Array } }

export const isZip = (f: Blob & { name?: string }): boolean =>
  /zip/.test(f.type) || /\.zip$/i.test(f.name ?? '')

/**
 * Finds a README (at the top, or one folder down) and a screenshot in a ZIP.
 * @example const { readme, screenshot } = await zipFinds(file, signal)
 */
export async function zipFinds(file: Blob, signal?: AbortSignal): Promise<ZipFinds> {
  const found: ZipFinds = {}
  const pending: Promise<void>[] = []
  const unzip = new Unzip()
  unzip.register(UnzipInflate)
  unzip.register(UnzipPassThrough)
  unzip.onfile = (entry) => {
    const parts = entry.name.split('/')
    const base = parts.at(-1) ?? ''
    const readme = !found.readme && parts.length <= 2 && README.test(base)
    const shot = !found.screenshot && SHOT.test(entry.name)
    if ((!readme && !shot) || (entry.originalSize ?? 0) > ENTRY_BYTES) return
    const chunks: Uint8Array[] = []
    let size = 0
    pending.push(
      new Promise<void>((resolve) => {
        entry.ondata = (err, data, final) => {
          if (err) return resolve() // a broken entry is no preview, not a failure
          chunks.push(data)
          size += data.length
          if (size > ENTRY_BYTES) {
            entry.terminate()
            return resolve()
          }
          if (!final) return
          const bytes = new Uint8Array(size)
          let o = 0
          for (const c of chunks) {
            bytes.set(c, o)
            o += c.length
          }
          if (readme) found.readme ??= bytes
          else found.screenshot ??= { name: entry.name, bytes }
          resolve()
        }
        entry.start()
      }),
    )
  }
  const reader = file.stream().getReader()
  let read = 0
  try {
    while (!(found.readme && found.screenshot) && read < SCAN_BYTES) {
      if (signal?.aborted) throw signal.reason
      const { done, value } = await reader.read()
      if (done) break
      read += value.length
      unzip.push(value)
    }
  } catch (err) {
    if (signal?.aborted) throw err
    // Not a ZIP fflate can read: no finds.
  } finally {
    void reader.cancel().catch(() => {})
  }
  await Promise.all(pending)
  return found
}
