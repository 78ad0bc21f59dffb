/**
 * The file tree of a site to publish (DESIGN §4.8), from what the compose view hands over: the
 * files of a picked or dropped folder (their relative paths), or a ZIP read here with fflate's
 * streaming `Unzip` (the library the page's ZIP preview uses; src/ui/feed/zipPreview.ts).
 * Folders, macOS resource forks (`__MACOSX/`) and `.DS_Store` files are left out, and the one
 * folder every path is under, if any, is dropped: `site/index.html` is the site's `index.html`.
 */
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate'
import { SiteArchiveError } from '../../shared/errors/site.ts'
import { MAX_SITE_FILES, stripCommonRoot, type TreeFile } from '../../shared/site/archive.ts'

/** A site as the page hands it over: a folder's files or a ZIP, and its entry (and fallback). */
export type SiteInput = {
  files?: { path: string; file: Blob }[] | undefined
  zip?: Blob | undefined
  entry: string
  fallback?: string | undefined
}

/** Bytes handed to the unzipper at once. */
const PUSH_BYTES = 4096

const skipped = (path: string) =>
  path.endsWith('/') || /(^|\/)__MACOSX\//.test(path) || /(^|\/)\.DS_Store$/.test(path)

/**
 * The tree of a site input, common folder removed. Throws {@link SiteArchiveError} for a ZIP
 * that cannot be read or holds more than the allowed number of files.
 * @example const files = await siteTree({ zip, entry: 'index.html' }, signal)
 */
export async function siteTree(input: SiteInput, signal?: AbortSignal): Promise<TreeFile[]> {
  if (!input.files === !input.zip)
    throw new SiteArchiveError('A site is a folder or a ZIP: give exactly one.')
  const raw = input.zip
    ? await unzipAll(input.zip, signal)
    : (input.files ?? []).map((f) => ({ path: f.path, blob: f.file }))
  const kept = raw.filter((f) => !skipped(f.path))
  const paths = stripCommonRoot(kept.map((f) => f.path))
  return kept.map((f, i) => ({ path: paths[i] as string, blob: f.blob }))
}

/** Every file entry of a ZIP as a Blob, in archive order. */
async function unzipAll(zip: Blob, signal?: AbortSignal): Promise<TreeFile[]> {
  const out: TreeFile[] = []
  const pending: Promise<void>[] = []
  let failure: Error | null = null
  let seen = 0
  const unzip = new Unzip()
  unzip.register(UnzipInflate)
  unzip.register(UnzipPassThrough)
  unzip.onfile = (entry) => {
    if (entry.name.endsWith('/')) return
    if (++seen > MAX_SITE_FILES) {
      failure ??= new SiteArchiveError(
        `The ZIP holds more than ${MAX_SITE_FILES} files; at most ${MAX_SITE_FILES} are allowed.`,
      )
      return
    }
    pending.push(
      new Promise<void>((resolve) => {
        const chunks: Uint8Array<ArrayBuffer>[] = []
        entry.ondata = (err, data, final) => {
          if (err) {
            failure ??= new SiteArchiveError(`"${entry.name}" in the ZIP cannot be read.`, {
              details: err.message,
            })
            return resolve()
          }
          chunks.push(data as Uint8Array<ArrayBuffer>)
          if (!final) return
          out.push({ path: entry.name, blob: new Blob(chunks) })
          resolve()
        }
        entry.start()
      }),
    )
  }
  const reader = zip.stream().getReader()
  try {
    for (;;) {
      signal?.throwIfAborted()
      const { done, value } = await reader.read()
      if (done) break
      // Small pushes: fflate recurses once per entry a push completes (deep for tiny files).
      for (let at = 0; at < value.length && !failure; at += PUSH_BYTES)
        unzip.push(value.subarray(at, at + PUSH_BYTES))
      if (failure) break
    }
    if (!failure) unzip.push(new Uint8Array(0), true)
  } catch (err) {
    if (signal?.aborted) throw err
    throw new SiteArchiveError('This file is not a ZIP that can be read.', {
      details: (err as Error).message,
    })
  } finally {
    void reader.cancel().catch(() => {})
  }
  await Promise.all(pending)
  if (failure) throw failure
  if (out.length === 0) throw new SiteArchiveError('The ZIP holds no files.')
  return out
}
