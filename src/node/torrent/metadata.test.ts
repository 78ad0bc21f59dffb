import fc from 'fast-check'
import parseTorrent from 'parse-torrent'
import { describe, expect, it } from 'vitest'
import { TorrentMetadataError } from '../../shared/errors/swarm.ts'
import { buildPreviewTorrent } from '../previews/format.ts'
import { buildTorrent } from '../swarm/torrentFile.ts'
import { type BDecoded, decodeBencode } from './bdecode.ts'
import { type BValue, bencode } from './bencode.ts'
import { gateMetadata, parseTorrentFile } from './metadata.ts'

const enc = new TextEncoder()
const b = (s: string) => enc.encode(s)
const MAX = { maxBytes: 1 << 20 }

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
  ),
})).v

describe('decodeBencode', () => {
  it('decodes what bencode() writes, to the same bytes again', () => {
    fc.assert(
      fc.property(bvalue, (v) => {
        const bytes = bencode(v)
        const d = decodeBencode(bytes, MAX)
        // A second encoding of the decoded value (byte-string keys as Latin-1) is identical.
        const again = bencode(toBValue(d))
        expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true)
      }),
    )
  })

  it('refuses every non-canonical or malformed form with TorrentMetadataError', () => {
    for (const s of [
      'i01e',
      'i-0e',
      'ie',
      'i1',
      '01:a',
      '2:a',
      'l',
      'd1:bi1e1:ai1ee',
      'd1:ai1e1:ai1ee',
      'di1ei1ee',
      'i1ei2e',
      'x',
      '',
      `${'l'.repeat(20)}${'e'.repeat(20)}`,
      'i99999999999999999e',
    ])
      expect(() => decodeBencode(b(s), MAX), s).toThrow(TorrentMetadataError)
    expect(() => decodeBencode(new Uint8Array(10), { maxBytes: 5 })).toThrow(/too large/)
  })
})

/** A decoded value as bencode.ts input (dictionary keys are Latin-1 strings of raw bytes). */
function toBValue(v: BDecoded): BValue {
  if (typeof v === 'number' || v instanceof Uint8Array) return v
  if (Array.isArray(v)) return v.map(toBValue)
  const out: Record<string, BValue> = {}
  for (const [k, x] of Object.entries(v))
    out[new TextDecoder().decode(Uint8Array.from(k, (c) => c.charCodeAt(0)))] = toBValue(x)
  return out
}

describe('parseTorrentFile', () => {
  it('reads the torrents this app makes as webtorrent (parse-torrent) does', async () => {
    const sizes = [1, 65536, 65537, 3 * 65536]
    for (const cipherSize of sizes) {
      const count = Math.ceil(cipherSize / 65536)
      const t = await buildTorrent({
        name: 'film.mp4',
        cipherSize,
        sliceSize: 65536,
        pieces: new Uint8Array(20 * count),
        announce: ['ws://127.0.0.1:1/'],
      })
      const ours = parseTorrentFile(t.torrentFile)
      const theirs = await parseTorrent(t.torrentFile)
      expect(ours).toEqual({
        name: theirs.name,
        pieceLength: theirs.pieceLength,
        pieceCount: theirs.pieces.length,
        length: theirs.length,
        files: [{ path: 'film.mp4', length: cipherSize }],
      })
    }
    const p = await buildPreviewTorrent(
      [
        { name: 'poster.webp', bytes: new Uint8Array(70_000) },
        { name: 'head.txt', bytes: new Uint8Array(10) },
      ],
      [],
    )
    const meta = parseTorrentFile(p.torrentFile)
    const theirs = await parseTorrent(p.torrentFile)
    expect(meta.files).toEqual(
      theirs.files.map((f) => ({
        path: f.path.replace('hashcard-preview/', ''),
        length: f.length,
      })),
    )
    expect(meta.pieceCount).toBe(theirs.pieces.length)
  })

  it('refuses metadata webtorrent would act on but BEP 3 does not allow', () => {
    const info = (fields: Record<string, BValue>) =>
      bencode({
        info: {
          name: 'a',
          'piece length': 16384,
          pieces: new Uint8Array(20),
          length: 5,
          ...fields,
        },
      })
    const refused: [Uint8Array, RegExp][] = [
      [info({ length: -5 }), /length/],
      [info({ 'piece length': 1 }), /piece length/],
      [info({ 'piece length': 3 * 16384 }), /piece length/],
      [info({ pieces: new Uint8Array(19) }), /pieces/],
      [info({ pieces: new Uint8Array(40) }), /cannot hold/],
      [info({ length: 0 }), /length/],
      [info({ name: new Uint8Array([0xff]) }), /UTF-8/],
      [info({ files: [{ length: 1, path: ['..'] }] }), /both length and files/],
      [
        bencode({
          info: {
            name: 'a',
            'piece length': 16384,
            pieces: new Uint8Array(20),
            files: [{ length: 1, path: ['..'] }],
          },
        }),
        /not a file name/,
      ],
      [
        bencode({
          info: { name: 'a', 'piece length': 16384, pieces: new Uint8Array(20), files: [] },
        }),
        /files/,
      ],
      [bencode({ info: 5 }), /info/],
      [bencode([1]), /dictionary/],
    ]
    // A published file's name is any text: a backslash is legal in a Linux file name.
    expect(parseTorrentFile(info({ name: 'a\\b .mp4' })).name).toBe('a\\b .mp4')
    for (const [bytes, why] of refused) {
      expect(() => parseTorrentFile(bytes)).toThrow(TorrentMetadataError)
      try {
        parseTorrentFile(bytes)
      } catch (err) {
        expect((err as TorrentMetadataError).details).toMatch(why)
      }
    }
  })
})

describe('gateMetadata', () => {
  it('passes good metadata and parsed torrents on, and refuses bad metadata before webtorrent', async () => {
    const seen: unknown[] = []
    const refused: Error[] = []
    const torrent = { _onMetadata: (m: unknown) => seen.push(m) }
    const checked: number[] = []
    gateMetadata(
      torrent,
      (meta) => {
        checked.push(meta.length)
        if (meta.length > 10) throw new TorrentMetadataError('too long for this item')
      },
      (err) => refused.push(err),
    )
    const good = bencode({
      info: { name: 'a', 'piece length': 16384, pieces: new Uint8Array(20), length: 5 },
    })
    const long = bencode({
      info: { name: 'a', 'piece length': 16384, pieces: new Uint8Array(20), length: 50 },
    })
    const parsed = { infoHash: 'ab'.repeat(20) }
    torrent._onMetadata(good)
    torrent._onMetadata(parsed)
    await torrent._onMetadata(long)
    await torrent._onMetadata(b('d4:infoi1ee'))
    expect(seen).toEqual([good, parsed])
    expect(checked).toEqual([5, 50])
    expect(refused.map((e) => e.message)).toEqual([
      'too long for this item',
      expect.stringMatching(/BEP 3/),
    ])
  })
})
