import parseTorrent from 'parse-torrent'
import { describe, expect, it } from 'vitest'
import { PreviewMismatchError, PreviewTooLargeError } from '../../shared/errors/preview.ts'
import {
  buildPreviewTorrent,
  checkPreviewEntries,
  MAX_PREVIEW_BYTES,
  PREVIEW_PIECE_LENGTH,
  splitPreview,
} from './format.ts'

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * seed) & 255)
const poster = { name: 'poster.webp', bytes: bytes(70_000, 7) }
const clip = { name: 'clip.webm', bytes: bytes(150_000, 13) }

describe('buildPreviewTorrent', () => {
  it('gives the infoHash and file list a second implementation (parse-torrent) reads', async () => {
    const built = await buildPreviewTorrent([poster, clip], ['ws://127.0.0.1:1/'])
    const parsed = await parseTorrent(built.torrentFile)
    expect(parsed.infoHash).toBe(built.infoHash)
    expect(parsed.pieceLength).toBe(PREVIEW_PIECE_LENGTH)
    expect(parsed.length).toBe(220_000)
    expect(parsed.pieces).toHaveLength(Math.ceil(220_000 / PREVIEW_PIECE_LENGTH))
    expect(parsed.files.map((f) => [f.path, f.length, f.offset])).toEqual([
      ['hashcard-preview/poster.webp', 70_000, 0],
      ['hashcard-preview/clip.webm', 150_000, 70_000],
    ])
    // The same check a fetching node runs on the metadata accepts it.
    expect(checkPreviewEntries(parsed.files)).toEqual(built.entries)
  })

  it('is deterministic: the same files in any order give the same infoHash', async () => {
    const a = await buildPreviewTorrent([poster, clip], [])
    const b = await buildPreviewTorrent([clip, poster], ['ws://other/'])
    expect(b.infoHash).toBe(a.infoHash)
  })

  it('cuts back into the files it was made of', async () => {
    const built = await buildPreviewTorrent([clip, poster], [])
    const all = new Uint8Array(built.length)
    for (const [i, p] of built.pieces.entries()) all.set(p, i * PREVIEW_PIECE_LENGTH)
    const files = splitPreview(all, built.entries)
    expect(files.map((f) => [f.name, f.mime])).toEqual([
      ['poster.webp', 'image/webp'],
      ['clip.webm', 'video/webm'],
    ])
    expect(files[0]?.bytes).toEqual(poster.bytes)
    expect(files[1]?.bytes).toEqual(clip.bytes)
  })

  it('refuses more than the limit, unknown or repeated names, and empty files', async () => {
    const big = { name: 'clip.webm', bytes: new Uint8Array(MAX_PREVIEW_BYTES) }
    await expect(buildPreviewTorrent([poster, big], [])).rejects.toBeInstanceOf(
      PreviewTooLargeError,
    )
    await expect(
      buildPreviewTorrent([{ name: 'index.html', bytes: bytes(10, 1) }], []),
    ).rejects.toBeInstanceOf(PreviewMismatchError)
    await expect(buildPreviewTorrent([poster, poster], [])).rejects.toThrow(/each once/)
    await expect(
      buildPreviewTorrent([{ name: 'head.txt', bytes: new Uint8Array() }], []),
    ).rejects.toThrow(/empty/)
    await expect(buildPreviewTorrent([], [])).rejects.toThrow(/no files/)
    // Dev tests make such torrents on purpose.
    const bad = await buildPreviewTorrent([poster, big], [], { unchecked: true })
    expect(bad.length).toBe(MAX_PREVIEW_BYTES + 70_000)
  })
})

describe('checkPreviewEntries', () => {
  it('names the offending file and the total in its details', () => {
    try {
      checkPreviewEntries([{ path: 'x/../../etc/passwd', length: 5 }])
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(PreviewMismatchError)
      expect((err as PreviewMismatchError).details).toContain('x/../../etc/passwd')
    }
    try {
      checkPreviewEntries([{ path: 'image.webp', length: MAX_PREVIEW_BYTES + 1 }])
      expect.unreachable()
    } catch (err) {
      expect((err as PreviewTooLargeError).details).toBe(
        `${MAX_PREVIEW_BYTES + 1} bytes in 1 files`,
      )
    }
  })
})
