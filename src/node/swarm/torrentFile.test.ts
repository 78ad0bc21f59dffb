import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { bencode } from './bencode.ts'
import { buildTorrent, magnetOf, sha1 } from './torrentFile.ts'

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('bencode', () => {
  it('encodes the BEP 3 examples', () => {
    expect(text(bencode('spam'))).toBe('4:spam')
    expect(text(bencode(3))).toBe('i3e')
    expect(text(bencode(-3))).toBe('i-3e')
    expect(text(bencode(['spam', 'eggs']))).toBe('l4:spam4:eggse')
    expect(text(bencode({ spam: 'eggs', cow: 'moo' }))).toBe('d3:cow3:moo4:spam4:eggse')
  })
  it('refuses non-integers', () => {
    expect(() => bencode(1.5)).toThrow(RangeError)
  })
})

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
