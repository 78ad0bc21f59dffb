import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AvailabilityCodecError } from '../errors/seed.ts'
import {
  type AvailabilityEntry,
  type AvailabilitySummary,
  decodeAvailability,
  encodeAvailability,
  encodeAvailabilityBody,
  encodedEntryBytes,
  HEADER_BYTES,
  MAX_AVAILABILITY_BYTES,
  SIGNATURE_BYTES,
} from './codec.ts'

const toHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const compare = (a: Uint8Array, b: Uint8Array): number => toHex(a).localeCompare(toHex(b))

const entryArb: fc.Arbitrary<AvailabilityEntry> = fc
  .record({
    infoHash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    slices: fc.integer({ min: 1, max: 1500 }),
    form: fc.constantFrom('complete', 'count', 'bitfield'),
    seed: fc.integer(),
    price: fc.bigInt({ min: 0n, max: 2n ** 96n - 1n }),
  })
  .map(({ infoHash, slices, form, seed, price }) => {
    if (form === 'complete' || slices === 1) return { infoHash, slices, held: slices, price }
    if (form === 'count') return { infoHash, slices, held: Math.abs(seed) % slices, price }
    // A pseudo-random bitfield from `seed`, then forced to be neither empty nor full.
    const bitfield = new Uint8Array(Math.ceil(slices / 8))
    let x = seed | 1
    for (let i = 0; i < slices; i++) {
      x = (x * 1103515245 + 12345) | 0
      if ((x >>> 16) & 1) bitfield[i >> 3]! |= 0x80 >> (i & 7)
    }
    bitfield[0]! |= 0x80
    bitfield[(slices - 1) >> 3]! &= ~(0x80 >> ((slices - 1) & 7))
    let held = 0
    for (let i = 0; i < slices; i++) if (bitfield[i >> 3]! & (0x80 >> (i & 7))) held++
    return { infoHash, slices, held, bitfield, price }
  })

const summaryArb: fc.Arbitrary<AvailabilitySummary> = fc.record({
  signer: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  timestamp: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
  entries: fc.uniqueArray(entryArb, {
    minLength: 1,
    maxLength: 40,
    selector: (e) => toHex(e.infoHash),
  }),
})

const sig = new Uint8Array(SIGNATURE_BYTES).fill(7)

describe('availability codec', () => {
  it('pins the format with a vector', () => {
    const body = encodeAvailabilityBody({
      signer: new Uint8Array(32).fill(0xaa),
      timestamp: 1_700_000_000_000,
      entries: [
        {
          infoHash: new Uint8Array(20).fill(2),
          slices: 10,
          held: 3,
          bitfield: Uint8Array.of(0b1010_0000, 0b0100_0000),
          price: 0n,
        },
        { infoHash: new Uint8Array(20).fill(1), slices: 96, held: 96, price: 1000n },
      ],
    })
    expect(toHex(body)).toBe(
      `01${'aa'.repeat(32)}018bcfe568000` +
        `2${'01'.repeat(20)}00000060` +
        `00` +
        `0203e8` +
        `${'02'.repeat(20)}0000000a` +
        `02a040` +
        `00`,
    )
    expect(body.length).toBe(HEADER_BYTES + 2 * 24 + 2 + 2 + 3 + 1)
  })

  it('round-trips any summary, entries in infoHash order (property)', () => {
    fc.assert(
      fc.property(summaryArb, (s) => {
        const bytes = encodeAvailability(encodeAvailabilityBody(s), sig)
        const size =
          HEADER_BYTES + SIGNATURE_BYTES + s.entries.reduce((n, e) => n + encodedEntryBytes(e), 0)
        expect(bytes.length).toBe(size)
        const back = decodeAvailability(bytes)
        const sorted = [...s.entries].sort((a, b) => compare(a.infoHash, b.infoHash))
        expect(back.summary).toEqual({ ...s, entries: sorted })
        expect(back.signature).toEqual(sig)
        expect(back.body).toEqual(bytes.subarray(0, bytes.length - SIGNATURE_BYTES))
      }),
      { numRuns: 200 },
    )
  })

  it('random bytes decode canonically or throw the codec error (property)', () => {
    const check = (bytes: Uint8Array): void => {
      let decoded: ReturnType<typeof decodeAvailability>
      try {
        decoded = decodeAvailability(bytes)
      } catch (err) {
        expect(err).toBeInstanceOf(AvailabilityCodecError)
        return
      }
      // Accepted bytes are the one encoding of what they say.
      expect(
        encodeAvailability(encodeAvailabilityBody(decoded.summary), decoded.signature),
      ).toEqual(bytes)
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 300 })
    // Random bytes rarely get past the header, so also mutate valid messages.
    fc.assert(
      fc.property(
        summaryArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (s, edits, cut) => {
          const bytes = encodeAvailability(encodeAvailabilityBody(s), sig)
          for (const [at, v] of edits) bytes[at % bytes.length] = v
          check(bytes)
          check(bytes.subarray(0, cut % bytes.length))
        },
      ),
      { numRuns: 300 },
    )
  })

  it('refuses oversized, duplicate and non-canonical input', () => {
    const e = (i: number, over: Partial<AvailabilityEntry> = {}): AvailabilityEntry => ({
      infoHash: new Uint8Array(20).fill(i),
      slices: 8,
      held: 8,
      price: 0n,
      ...over,
    })
    const base = { signer: new Uint8Array(32), timestamp: 1 }
    const bad: Partial<AvailabilityEntry>[] = [
      { held: 9 },
      { held: 8, bitfield: Uint8Array.of(0xff) },
      { held: 0, bitfield: Uint8Array.of(0) },
      { held: 2, bitfield: Uint8Array.of(0x80) },
      { slices: 4, held: 1, bitfield: Uint8Array.of(0x81) },
      { price: 2n ** 96n },
      { price: -1n },
      { slices: 0, held: 0 },
      { infoHash: new Uint8Array(32) },
    ]
    for (const over of bad)
      expect(() => encodeAvailabilityBody({ ...base, entries: [e(1, over)] })).toThrow(
        AvailabilityCodecError,
      )
    expect(() => encodeAvailabilityBody({ ...base, entries: [e(1), e(1)] })).toThrow(/twice/)
    expect(() => encodeAvailabilityBody({ ...base, entries: [] })).toThrow(AvailabilityCodecError)
    expect(() => encodeAvailabilityBody({ ...base, timestamp: 2 ** 48, entries: [e(1)] })).toThrow(
      AvailabilityCodecError,
    )
    // 255 entries with 1,000-slice bitfields are far over 16 KiB.
    const big = Array.from({ length: 255 }, (_, i) =>
      e(i, {
        slices: 1000,
        held: 1,
        bitfield: Uint8Array.from({ length: 125 }, (_, k) => (k ? 0 : 0x80)),
      }),
    )
    expect(() => encodeAvailabilityBody({ ...base, entries: big })).toThrow(/limit/)
    expect(() => decodeAvailability(new Uint8Array(MAX_AVAILABILITY_BYTES + 1))).toThrow(/limit/)

    const ok = encodeAvailability(
      encodeAvailabilityBody({ ...base, entries: [e(1, { price: 5n })] }),
      sig,
    )
    const padded = Uint8Array.from([
      ...ok.subarray(0, ok.length - SIGNATURE_BYTES - 2),
      2,
      0,
      5,
      ...sig,
    ])
    expect(() => decodeAvailability(padded)).toThrow(/zero byte/)
    const asCount = Uint8Array.from([
      ...ok.subarray(0, HEADER_BYTES + 24),
      1,
      0,
      0,
      0,
      8,
      ...ok.subarray(HEADER_BYTES + 25),
    ])
    expect(() => decodeAvailability(asCount)).toThrow(/below slices/)
  })
})
