/**
 * What the compose view takes as a site (DESIGN §4.8): the files of a folder picked with
 * `<input webkitdirectory>` (each knows its `webkitRelativePath`), a folder dropped on the page
 * (walked through the File and Directory Entries API), or one ZIP. The node checks and packs
 * them (src/node/site/tree.ts, src/shared/site/archive.ts).
 */
import { MAX_SITE_FILES } from '../../shared/site/archive.ts'
import { isZip } from '../feed/zipPreview.ts'

export type SiteFiles = { path: string; file: File }[]
/** A folder's files, or a ZIP. */
export type SitePick = { files: SiteFiles; zip?: undefined } | { zip: File; files?: undefined }

/** A pick with its entry page and optional fallback: the `site` of `feed.publish`. */
export type SiteChoice = SitePick & { entry: string; fallback?: string }

/** The files of `<input webkitdirectory>`, by their path under the picked folder. */
export function fromFolderInput(list: FileList | null): SitePick | null {
  const files = [...(list ?? [])].map((file) => ({
    path: file.webkitRelativePath || file.name,
    file,
  }))
  return files.length ? { files } : null
}

/** A dropped folder (walked), several dropped files, or one dropped ZIP. */
export async function fromDrop(dt: DataTransfer): Promise<SitePick | null> {
  const entries = [...dt.items]
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e)
  const only = dt.files[0]
  if (entries.length === 1 && entries[0]?.isFile && only && isZip(only)) return { zip: only }
  const files: SiteFiles = []
  for (const e of entries) await walk(e, '', files)
  return files.length ? { files } : null
}

async function walk(entry: FileSystemEntry, prefix: string, out: SiteFiles): Promise<void> {
  if (out.length > MAX_SITE_FILES) return // the node refuses it, with the count
  const path = `${prefix}${entry.name}`
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    )
    out.push({ path, file })
    return
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  // readEntries answers in batches until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    )
    if (batch.length === 0) return
    for (const child of batch) await walk(child, `${path}/`, out)
  }
}

/**
 * The entry page to suggest: `index.html` at the top (after the one common folder, which the
 * node drops too), else the first HTML file.
 */
export function suggestEntry(pick: SitePick): string {
  if (pick.zip) return 'index.html'
  const paths = pick.files.map((f) => f.path)
  const root = paths[0]?.split('/')[0]
  const strip =
    root && paths.every((p) => p.startsWith(`${root}/`))
      ? (p: string) => p.slice(root.length + 1)
      : (p: string) => p
  const rel = paths.map(strip)
  return rel.includes('index.html')
    ? 'index.html'
    : (rel.find((p) => /\.html?$/i.test(p)) ?? 'index.html')
}
