import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { sha1 } from '../crypto/sha1.ts'
import { bencode } from '../torrent/bencode.ts'
import { magnetOf } from '../torrent/magnet.ts'
import { buildTorrent } from './torrentFile.ts'

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('buildTorrent', () => {
  it('gives the infoHash of the info dictionary alone and a magnet link', async () => {
    const pieces = new Uint8Array(40).fill(7)
    const t = await buildTorrent({
      name: 'a.mp4',
      cipherSize: 65536 + 100,
      sliceSize: 65536,
      pieces,
      announce: ['ws://127.0.0.1:1'],
    })
    const info = bencode({ length: 65636, name: 'a.mp4', 'piece length': 65536, pieces })
    expect(t.infoHash).toBe(bytesToHex(await sha1(info)))
    expect(text(t.torrentFile)).toContain('8:announce16:ws://127.0.0.1:1')
    expect(t.magnet).toBe(magnetOf(t.infoHash, 'a.mp4', ['ws://127.0.0.1:1']))
    expect(t.magnet).toContain(`xt=urn:btih:${t.infoHash}`)
  })
  it('checks the piece hashes fit the size', async () => {
    await expect(
      buildTorrent({
        name: 'x',
        cipherSize: 10,
        sliceSize: 65536,
        pieces: new Uint8Array(19),
        announce: [],
      }),
    ).rejects.toThrow(RangeError)
  })
})
