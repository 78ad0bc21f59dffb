import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { deriveExternalWrapKey } from './wrapKey.ts'

describe('external wallet wrap key', () => {
  // Moved from keys/external.test.ts with deriveExternalWrapKey; assertions unchanged.
  it('derives one wrap key per signature', () => {
    const sig = new Uint8Array(65).fill(3)
    const a = deriveExternalWrapKey(sig)
    expect(deriveExternalWrapKey(sig.slice())).toEqual(a)
    expect(deriveExternalWrapKey(new Uint8Array(65).fill(4)).wrapPublic).not.toEqual(a.wrapPublic)
    expect(() => deriveExternalWrapKey(new Uint8Array(64))).toThrow(RangeError)
  })

  it('derives the same key as before the move (pinned; wallets find their keys on any device)', () => {
    // Computed by keys/external.ts before deriveExternalWrapKey moved here.
    const k = deriveExternalWrapKey(new Uint8Array(65).fill(3))
    expect(bytesToHex(k.wrapSecret)).toBe(
      '53f27166cac2ffd6d46f0627e5e784f4b932bf6c8052769f38dac55f32d6813e',
    )
    expect(bytesToHex(k.wrapPublic)).toBe(
      '57395bf995ddaa98f5966b11acb20f498d333325bd2c9a3c15f066006164d671',
    )
  })

  it('names the argument in its errors', () => {
    expect(() => deriveExternalWrapKey(new Uint8Array(64))).toThrow(
      'signature: expected 65 bytes, got 64',
    )
    expect(() => deriveExternalWrapKey('0x00' as unknown as Uint8Array)).toThrow(
      new TypeError('signature: expected Uint8Array, got string'),
    )
  })
})
