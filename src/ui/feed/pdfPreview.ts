/**
 * A PDF's real preview: its first page drawn (pdf.js, the maintained PDF renderer; loaded only
 * when a PDF is picked) and the text of its first pages. pdf.js parses in its own worker; the
 * app's CSP refuses any script a document could carry.
 */

/** Pages whose text goes in head.txt. */
const TEXT_PAGES = 3

/** Whether the bytes start like a PDF (`%PDF-`), whatever the file's type says. */
export async function isPdf(file: Blob): Promise<boolean> {
  if (file.type === 'application/pdf') return true
  const head = new Uint8Array(await file.slice(0, 5).arrayBuffer())
  return String.fromCharCode(...head) === '%PDF-'
}

/** pdf.js, loaded on first use, its worker from the app's own files. */
export async function loadPdfJs(): Promise<typeof import('pdfjs-dist')> {
  const pdfjs = await import('pdfjs-dist')
  pdfjs.GlobalWorkerOptions.workerSrc = (
    await import('pdfjs-dist/build/pdf.worker.min.mjs?url')
  ).default
  return pdfjs
}

/**
 * Draws page 1 with its longer side at `side` px and collects the text of the first pages.
 * @example const { page, text } = await pdfFirstPages(file, 1280)
 */
export async function pdfFirstPages(
  file: Blob,
  side: number,
): Promise<{ page: HTMLCanvasElement; text: string }> {
  const pdfjs = await loadPdfJs()
  const task = pdfjs.getDocument({ data: new Uint8Array(await file.arrayBuffer()) })
  try {
    const doc = await task.promise
    const first = await doc.getPage(1)
    const base = first.getViewport({ scale: 1 })
    const viewport = first.getViewport({ scale: side / Math.max(base.width, base.height) })
    const page = document.createElement('canvas')
    page.width = Math.max(1, Math.round(viewport.width))
    page.height = Math.max(1, Math.round(viewport.height))
    await first.render({ canvas: page, viewport }).promise
    const parts: string[] = []
    for (let n = 1; n <= Math.min(TEXT_PAGES, doc.numPages); n++) {
      const content = await (await doc.getPage(n)).getTextContent()
      parts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '))
    }
    return { page, text: parts.join('\n\n').trim() }
  } finally {
    await task.destroy()
  }
}
