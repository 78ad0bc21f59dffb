/** `hc_pay` messages (src/node/pay/wire.ts): BEP-10 extension payloads from any peer on a wire. */
import fc from 'fast-check'
import { getAddress, type Hex } from 'viem'
import {
  decodePayMessage,
  encodePayMessage,
  MAX_CUMULATIVE,
  MAX_NEXT_SLICES,
  type PayMessage,
  type RejectCode,
  rejectCodes,
  SIGNATURE_BYTES,
} from '../../src/node/pay/wire.ts'
import { InvalidInputError } from '../../src/shared/errors/common.ts'
import { type FuzzTarget, hexForm } from '../harness.ts'
import { fuzzBytes, pool } from '../mutate.ts'

const hexN = (n: number) =>
  fc
    .uint8Array({ minLength: n, maxLength: n })
    .map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex)
const address = hexN(20).map((h) => getAddress(h))
const amount = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX_CUMULATIVE }),
  fc.constantFrom(1n, 255n, 256n, MAX_CUMULATIVE),
)
const signature = fc.uint8Array({ minLength: SIGNATURE_BYTES, maxLength: SIGNATURE_BYTES })
const chainId = fc.oneof(
  fc.constantFrom(1, 31337, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 1, max: 2 ** 40 }),
)
const cheque = fc.record({ cumulative: amount, signature })

/** Every message type with values across its range. */
export const payMessageArb: fc.Arbitrary<PayMessage> = fc.oneof(
  fc.record({
    type: fc.constant('terms' as const),
    chainId,
    chequebook: address,
    payee: address,
    cardId: hexN(32),
    price: fc.oneof(fc.constant(0n), amount),
    credit: fc.oneof(fc.nat(8), fc.constant(0xffffffff)),
  }),
  fc.record({ type: fc.constant('hello' as const), chainId, cardId: hexN(32), payer: address }),
  cheque.map((c) => ({ type: 'cheque' as const, ...c })),
  fc.record({ type: fc.constant('receipt' as const), cheque: fc.option(cheque, { nil: null }) }),
  fc.record({
    type: fc.constant('reject' as const),
    code: fc.constantFrom(...(Object.keys(rejectCodes) as RejectCode[])),
    value: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })),
  }),
  fc.record({
    type: fc.constant('next' as const),
    slices: fc.oneof(fc.bigInt({ min: 1n, max: MAX_NEXT_SLICES }), fc.constant(1n)),
    signature,
  }),
)

export const hcPayTarget: FuzzTarget<Uint8Array> = {
  name: 'hc_pay',
  input: fuzzBytes(pool(payMessageArb.map(encodePayMessage), 400), 120),
  parse: decodePayMessage,
  errors: [InvalidInputError],
  ...hexForm,
}
