import fc from 'fast-check'
import { getAddress, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../shared/errors/common.ts'
import {
  compactCheque,
  decodePayMessage,
  encodePayMessage,
  expandNext,
  MAX_CUMULATIVE,
  MAX_NEXT_SLICES,
  MAX_PAY_MESSAGE_BYTES,
  type PayMessage,
  type PayNext,
  type RejectCode,
  rejectCodes,
} from './wire.ts'

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n })
const address = bytes(20).map((b) => getAddress(toHex(b)))
const hash = bytes(32).map((b) => toHex(b))
const chainId = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
const cheque = fc.record({
  cumulative: fc.bigInt({ min: 1n, max: MAX_CUMULATIVE }),
  signature: bytes(65),
})
const message: fc.Arbitrary<PayMessage> = fc.oneof(
  fc.record({
    type: fc.constant('terms' as const),
    chainId,
    chequebook: address,
    payee: address,
    cardId: hash,
    price: fc.bigInt({ min: 0n, max: MAX_CUMULATIVE }),
    credit: fc.integer({ min: 0, max: 0xffffffff }),
  }),
  fc.record({ type: fc.constant('hello' as const), chainId, cardId: hash, payer: address }),
  cheque.map((c) => ({ type: 'cheque' as const, ...c })),
  fc.option(cheque, { nil: null }).map((c) => ({ type: 'receipt' as const, cheque: c })),
  fc.record({
    type: fc.constant('next' as const),
    slices: fc.bigInt({ min: 1n, max: MAX_NEXT_SLICES }),
    signature: bytes(65),
  }),
  fc.record({
    type: fc.constant('reject' as const),
    code: fc.constantFrom(...(Object.keys(rejectCodes) as RejectCode[])),
    value: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
  }),
)

describe('hc_pay wire codec', () => {
  it('round-trips every message, and re-encodes what it decodes byte for byte', () => {
    fc.assert(
      fc.property(message, (m) => {
        const encoded = encodePayMessage(m)
        expect(encoded.length).toBeLessThanOrEqual(MAX_PAY_MESSAGE_BYTES)
        const decoded = decodePayMessage(encoded)
        expect(decoded).toEqual(m)
        expect(encodePayMessage(decoded)).toEqual(encoded)
      }),
      { numRuns: 2_000 },
    )
  })

  it('any bytes either decode to a message that re-encodes to them, or throw InvalidInputError', () => {
    // Biased towards valid type bytes and lengths, so the property reaches deep into parsing.
    const near = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ minLength: 0, maxLength: 100 }))
        .map(([t, rest]) => Uint8Array.of(t, ...rest)),
      message.chain((m) =>
        fc.tuple(fc.nat({ max: 97 }), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
          const b = encodePayMessage(m)
          b[i % b.length] = v
          return b
        }),
      ),
    )
    fc.assert(
      fc.property(near, (b) => {
        try {
          const m = decodePayMessage(b)
          expect(encodePayMessage(m)).toEqual(b)
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidInputError)
        }
      }),
      { numRuns: 5_000 },
    )
  })

  it('a cheque is at most 78 bytes (84 with BEP-10 framing), 73 for a typical cumulative', () => {
    const sig = new Uint8Array(65).fill(7)
    expect(
      encodePayMessage({ type: 'cheque', cumulative: MAX_CUMULATIVE, signature: sig }),
    ).toHaveLength(78)
    // 10^15 wei (1,000 slices at 10^12) fits in 7 bytes.
    expect(
      encodePayMessage({ type: 'cheque', cumulative: 10n ** 15n, signature: sig }),
    ).toHaveLength(73)
  })

  it('a cheque after the first on a wire goes as next, and reads back as the same cheque', () => {
    const price = fc.bigInt({ min: 0n, max: 10n ** 20n })
    fc.assert(
      fc.property(
        fc.option(fc.bigInt({ min: 1n, max: 10n ** 24n }), { nil: null }),
        price,
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        bytes(65),
        (previous, p, step, signature) => {
          const cumulative = (previous ?? 0n) + step
          fc.pre(cumulative >= 1n)
          const sent = compactCheque({ cumulative, signature }, previous, p)
          const whole =
            previous !== null &&
            p > 0n &&
            step > 0n &&
            step % p === 0n &&
            step / p <= MAX_NEXT_SLICES
          expect(sent.type).toBe(whole ? 'next' : 'cheque')
          const got = decodePayMessage(encodePayMessage(sent))
          const cheque = got.type === 'next' ? expandNext(got, previous, p) : got
          expect(cheque).toMatchObject({ cumulative, signature })
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('a next is 67 bytes (73 framed) at any amount, and stands for nothing without a cheque before it', () => {
    const sig = new Uint8Array(65).fill(7)
    const next = compactCheque(
      { cumulative: 10n ** 20n, signature: sig },
      10n ** 20n - 10n ** 14n,
      10n ** 14n,
    )
    expect(next).toEqual({ type: 'next', slices: 1n, signature: sig })
    expect(encodePayMessage(next)).toHaveLength(67)
    // A cheque paying a batch (the payer's backlog of verified slices) is the same 67 bytes up
    // to 255 slices, and reads back as the whole step.
    const batch = compactCheque(
      { cumulative: 10n ** 20n + 32n * 10n ** 14n, signature: sig },
      10n ** 20n,
      10n ** 14n,
    )
    expect(batch).toEqual({ type: 'next', slices: 32n, signature: sig })
    const bytes = encodePayMessage(batch)
    expect(bytes).toHaveLength(67)
    expect(expandNext(decodePayMessage(bytes) as PayNext, 10n ** 20n, 10n ** 14n)).toEqual({
      cumulative: 10n ** 20n + 32n * 10n ** 14n,
      signature: sig,
    })
    expect(() => expandNext({ type: 'next', slices: 1n, signature: sig }, null, 1n)).toThrow(
      'next before any cheque',
    )
    expect(() => expandNext({ type: 'next', slices: 1n, signature: sig }, 5n, 0n)).toThrow(
      'next on a free wire',
    )
    expect(() =>
      expandNext({ type: 'next', slices: 2n, signature: sig }, MAX_CUMULATIVE - 1n, 1n),
    ).toThrow(InvalidInputError)
  })

  it('refuses non-canonical and out-of-range input with clear messages', () => {
    const sig = new Uint8Array(65)
    const reject = (b: number[], msg: string) =>
      expect(() => decodePayMessage(Uint8Array.from(b))).toThrow(msg)
    reject([], 'empty message')
    reject([9], 'unknown message type 9')
    reject([7], 'unknown message type 7')
    reject([3, 0, 1, ...sig], 'must not start with a zero byte')
    reject([3, ...sig], 'a cheque must be 67 to 78 bytes')
    reject([3, ...new Array(13).fill(1), ...sig], 'a cheque must be 67 to 78 bytes')
    reject([6, ...sig], 'next must be 67 to 70 bytes')
    reject([6, 1, 1, 1, 1, 1, ...sig], 'next must be 67 to 70 bytes')
    reject([6, 0, 1, ...sig], 'next slices must not start with a zero byte')
    reject([5, 42], 'unknown reject code 42')
    reject([5, 2, 0, 1], 'must not start with a zero byte')
    reject(new Array(99).fill(1), 'at most 98 bytes')
    const hello = encodePayMessage({
      type: 'hello',
      chainId: 31337,
      cardId: `0x${'11'.repeat(32)}`,
      payer: getAddress(`0x${'22'.repeat(20)}`),
    })
    reject([...hello.slice(0, 61)], 'hello must be 62 bytes')
    reject([2, 2, ...hello.slice(2)], 'unsupported version 2')
    reject([2, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...hello.slice(10)], 'chain id 0 is out of range')
    reject([2, 1, 255, 255, 255, 255, 255, 255, 255, 255, ...hello.slice(10)], 'out of range')
    expect(() => encodePayMessage({ type: 'cheque', cumulative: 0n, signature: sig })).toThrow(
      '[1, 2^96)',
    )
    expect(() =>
      encodePayMessage({ type: 'cheque', cumulative: 1n, signature: sig.slice(1) }),
    ).toThrow('65 bytes')
    expect(() =>
      encodePayMessage({
        type: 'terms',
        chainId: 1,
        chequebook: '0x12',
        payee: getAddress(`0x${'22'.repeat(20)}`),
        cardId: `0x${'11'.repeat(32)}`,
        price: 1n,
        credit: 2,
      }),
    ).toThrow(InvalidInputError)
  })
})
