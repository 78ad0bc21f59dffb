/** Card CBOR (src/shared/card/): bytes from the chain's CardPosted logs and from gossip. */
import fc from 'fast-check'
import { cardArb } from '../../src/shared/card/_arbitrary.ts'
import { decodeCard, encodeCard } from '../../src/shared/card/card.ts'
import { type CborValue, encodeCbor } from '../../src/shared/card/cbor.ts'
import { CardCodecError } from '../../src/shared/errors/card.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'

/** Keys a card map uses, so generic CBOR maps often look like cards. */
const cardKey = fc.constantFrom(
  'v',
  'k',
  't',
  'x',
  'g',
  'l',
  'c',
  'p',
  'pv',
  'ct',
  'ac',
  'st',
  'f',
  'key',
  'p',
  's',
  'r',
  'a',
  'i',
  'h',
  'e',
  'ih',
  'n',
  'm',
  'z',
)

/** Any value of the CBOR subset (deterministically encoded): deep, odd and card-like. */
const cborArb: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.nat(30), fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    fc.uint8Array({ maxLength: 40 }),
    fc.string({ maxLength: 20 }),
    fc.constant(true),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(cardKey, fc.string({ maxLength: 4 })), tie('v'), { maxKeys: 5 }),
  ),
})).v

const cardBytes = fc.oneof(
  { weight: 4, arbitrary: cardArb.map(encodeCard) },
  { weight: 1, arbitrary: cborArb.map(encodeCbor) },
)

export const cardTarget: FuzzTarget<Uint8Array> = {
  name: 'card',
  input: fuzzBytes(pool(cardBytes, 400), 512),
  parse: decodeCard,
  errors: [CardCodecError],
  ...hexForm,
}
