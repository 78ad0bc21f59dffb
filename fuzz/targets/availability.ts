/** Availability summaries (src/shared/availability/codec.ts), gossiped by every seeding node. */
import fc from 'fast-check'
import {
  type AvailabilityEntry,
  decodeAvailability,
  encodeAvailability,
  encodeAvailabilityBody,
  MAX_SLICE_PRICE,
  MAX_TIMESTAMP,
} from '../../src/shared/availability/codec.ts'
import { AvailabilityCodecError } from '../../src/shared/errors/seed.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })

/** An entry in one of the three holding forms. */
const entryArb: fc.Arbitrary<AvailabilityEntry> = fc
  .record({
    infoHash: bytes(20),
    slices: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 8, 9, 0xffffffff)),
    form: fc.constantFrom('complete', 'count', 'bitfield'),
    seed: fc.nat(),
    price: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: MAX_SLICE_PRICE })),
  })
  .map(({ infoHash, slices, form, seed, price }) => {
    if (form === 'complete' || slices === 1) return { infoHash, slices, held: slices, price }
    if (form === 'count' || slices > 64) return { infoHash, slices, held: seed % slices, price }
    // A bitfield with at least one bit set and one clear, padding zero.
    const bf = new Uint8Array(Math.ceil(slices / 8))
    let held = 0
    for (let i = 0; i < slices; i++) {
      const set = i === 0 || (i !== slices - 1 && ((seed >> (i % 30)) & 1) === 1)
      if (set) {
        bf[i >> 3] = (bf[i >> 3] as number) | (0x80 >> (i & 7))
        held++
      }
    }
    return { infoHash, slices, held, bitfield: bf, price }
  })

/** Valid signed-shape messages (the signature is random: the codec does not check it). */
export const availabilityBytesArb = fc
  .record({
    signer: bytes(32),
    timestamp: fc.oneof(fc.nat({ max: MAX_TIMESTAMP }), fc.constant(MAX_TIMESTAMP)),
    entries: fc.uniqueArray(entryArb, {
      minLength: 1,
      maxLength: 8,
      selector: (e) => Buffer.from(e.infoHash).toString('hex'),
    }),
    signature: bytes(64),
  })
  .map(({ signature, ...s }) => encodeAvailability(encodeAvailabilityBody(s), signature))

export const availabilityTarget: FuzzTarget<Uint8Array> = {
  name: 'availability',
  input: fuzzBytes(pool(availabilityBytesArb, 400), 400),
  parse: decodeAvailability,
  errors: [AvailabilityCodecError],
  ...hexForm,
}
