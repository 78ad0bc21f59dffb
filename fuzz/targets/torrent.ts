/**
 * Torrent metadata (src/node/torrent/metadata.ts): .torrent files and the info dictionaries
 * peers send over ut_metadata, for content items and for preview torrents (whose files are
 * then checked against what a preview may hold, src/node/previews/format.ts).
 */
import fc from 'fast-check'
import { buildPreviewTorrent, checkPreviewEntries } from '../../src/node/previews/format.ts'
import { buildTorrent } from '../../src/node/swarm/torrentFile.ts'
import { type BValue, bencode } from '../../src/node/torrent/bencode.ts'
import { parseTorrentFile } from '../../src/node/torrent/metadata.ts'
import { PreviewMismatchError, PreviewTooLargeError } from '../../src/shared/errors/preview.ts'
import { TorrentMetadataError } from '../../src/shared/errors/swarm.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'

/** Any bencode value, with torrent-like keys, as a generic structure. */
const bvalueArb: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.constantFrom(0, -1, 16384, 65536, 2 ** 53 - 1)),
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ maxLength: 12 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('info', 'name', 'length', 'files', 'path', 'pieces', 'piece length'),
        fc.string({ maxLength: 6 }),
      ),
      tie('v'),
      { maxKeys: 5 },
    ),
  ),
})).v

const announce = fc.array(fc.constantFrom('ws://127.0.0.1:8000', 'wss://tracker.example/'), {
  maxLength: 2,
})

/** Content torrents as buildTorrent makes them (pieces are random: nothing hashes them here). */
const contentTorrentArb = fc
  .record({
    name: fc.string({ minLength: 1, maxLength: 30 }),
    sliceSize: fc.constantFrom(16384, 65536, 262144),
    slices: fc.integer({ min: 1, max: 6 }),
    tail: fc.nat(),
    announce,
  })
  .map(({ name, sliceSize, slices, tail, announce }) => {
    const cipherSize = (slices - 1) * sliceSize + 1 + (tail % sliceSize)
    const pieces = new Uint8Array(20 * slices).map((_, i) => (i * 7) & 255)
    return { name, cipherSize, sliceSize, pieces, announce }
  })

/** Preview torrents as buildPreviewTorrent makes them, from allowed and other names. */
const previewFilesArb = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('image.webp', 'poster.webp', 'clip.webm', 'head.txt', 'index.html'),
    bytes: fc.integer({ min: 1, max: 3000 }).map((n) => new Uint8Array(n)),
  }),
  { minLength: 1, maxLength: 4, selector: (f) => f.name },
)

/** Builds a pool of valid torrents (the builders are async; arbitraries are not). */
export async function torrentPools(
  size = 200,
): Promise<{ content: Uint8Array[]; previews: Uint8Array[] }> {
  const content = await Promise.all(
    fc
      .sample(contentTorrentArb, { numRuns: size, seed: 3 })
      .map(async (p) => (await buildTorrent(p)).torrentFile),
  )
  const previews = await Promise.all(
    fc
      .sample(fc.tuple(previewFilesArb, announce), { numRuns: size, seed: 5 })
      .map(
        async ([files, a]) =>
          (await buildPreviewTorrent(files, a, { unchecked: true })).torrentFile,
      ),
  )
  return { content, previews }
}

/** The metadata targets: any torrent, and a preview torrent's files as the preview service checks them. */
export async function torrentTargets(): Promise<[FuzzTarget<Uint8Array>, FuzzTarget<Uint8Array>]> {
  const { content, previews } = await torrentPools()
  const valid = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...content, ...previews) },
    { weight: 1, arbitrary: pool(bvalueArb.map(bencode), 300) },
  )
  const torrent: FuzzTarget<Uint8Array> = {
    name: 'torrent',
    input: fuzzBytes(valid, 300),
    parse: (b) => parseTorrentFile(b),
    errors: [TorrentMetadataError],
    ...hexForm,
  }
  const preview: FuzzTarget<Uint8Array> = {
    name: 'preview-torrent',
    input: fuzzBytes(fc.constantFrom(...previews), 300),
    parse: (b) => checkPreviewEntries(parseTorrentFile(b).files),
    errors: [TorrentMetadataError, PreviewMismatchError, PreviewTooLargeError],
    ...hexForm,
  }
  return [torrent, preview]
}
