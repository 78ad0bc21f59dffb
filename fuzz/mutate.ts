/**
 * Structure-aware inputs for the fuzz targets: valid messages from a format's own arbitrary,
 * then mutated the way bugs like to be found — bit flips, "interesting" bytes, truncation,
 * deleted, duplicated and inserted runs, splices with another valid message, and length
 * fields rewritten to boundary values (0, 1, max, one past what is left) — beside plain
 * random bytes. Every position is drawn as a natural number reduced modulo the input's length,
 * so fast-check can shrink a failing input towards a short list of small edits.
 */
import fc from 'fast-check'

/** One edit of a byte string. */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'truncate'; at: number }
  | { op: 'delete'; at: number; length: number }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'splice'; at: number; from: number; other: Uint8Array }
  | {
      op: 'length'
      at: number
      width: 1 | 2 | 4 | 8
      value: 'zero' | 'one' | 'max' | 'past' | 'half'
    }

/** Bytes that break parsers more often than random ones. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x3a, 0x65]

const at = fc.nat({ max: 1 << 16 })

/** Arbitrary single edits; `splice` takes its donor from `donor`. */
function mutationArb(donor: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat(7) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('set' as const),
        at,
        value: fc.oneof(fc.constantFrom(...INTERESTING), fc.nat(255)),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('truncate' as const), at }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('delete' as const),
        at,
        length: fc.integer({ min: 1, max: 16 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('duplicate' as const),
        at,
        length: fc.integer({ min: 1, max: 32 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('insert' as const),
        at,
        bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ op: fc.constant('splice' as const), at, from: at, other: donor }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('length' as const),
        at,
        width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
        value: fc.constantFrom(
          'zero' as const,
          'one' as const,
          'max' as const,
          'past' as const,
          'half' as const,
        ),
      }),
    },
  )
}

function writeBE(out: Uint8Array, pos: number, width: number, value: bigint): void {
  let v = value
  for (let i = pos + width - 1; i >= pos; i--) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/** Applies one edit (positions are taken modulo the length; an empty input only grows). */
export function applyMutation(input: Uint8Array, m: Mutation): Uint8Array {
  const n = input.length
  const pos = n === 0 ? 0 : m.at % n
  switch (m.op) {
    case 'flip': {
      if (n === 0) return input
      const out = input.slice()
      out[pos] = (out[pos] as number) ^ (1 << m.bit)
      return out
    }
    case 'set': {
      if (n === 0) return Uint8Array.of(m.value)
      const out = input.slice()
      out[pos] = m.value
      return out
    }
    case 'truncate':
      return input.slice(0, pos)
    case 'delete':
      return concat(input.subarray(0, pos), input.subarray(pos + m.length))
    case 'duplicate':
      return concat(input.subarray(0, pos + m.length), input.subarray(pos))
    case 'insert':
      return concat(input.subarray(0, pos), m.bytes, input.subarray(pos))
    case 'splice': {
      const from = m.other.length === 0 ? 0 : m.from % m.other.length
      return concat(input.subarray(0, pos), m.other.subarray(from))
    }
    case 'length': {
      if (n === 0) return input
      const width = Math.min(m.width, n - pos)
      const left = BigInt(n - pos - width)
      const max = (1n << BigInt(8 * width)) - 1n
      const value = { zero: 0n, one: 1n, max, past: left + 1n, half: max >> 1n }[m.value]
      const out = input.slice()
      writeBE(out, pos, width, value > max ? max : value)
      return out
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/**
 * Inputs for a parser of `valid`'s format: valid messages (so the accepting paths run too),
 * valid messages with 1–6 edits, two valid messages spliced, and random bytes up to `maxRandom`.
 * @example fc.assert(fc.property(fuzzBytes(cardBytesArb), (b) => parseOrTypedError(b)))
 */
export function fuzzBytes(
  valid: fc.Arbitrary<Uint8Array>,
  maxRandom = 256,
): fc.Arbitrary<Uint8Array> {
  const mutated = fc
    .tuple(valid, fc.array(mutationArb(valid), { minLength: 1, maxLength: 6 }))
    .map(([v, ms]) => ms.reduce(applyMutation, v))
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 12, arbitrary: mutated },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, valid, at, at)
        .map(([a, b, i, j]) =>
          concat(
            a.subarray(0, a.length ? i % a.length : 0),
            b.subarray(b.length ? j % b.length : 0),
          ),
        ),
    },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
  )
}

/**
 * `size` values of `arb`, drawn once (on first use, with a fixed seed) and then picked from:
 * building a valid message (a card, a signed envelope) costs far more than mutating one, and a
 * few hundred valid messages under millions of mutations reach every branch they can.
 * @example fuzzBytes(pool(cardArb.map(encodeCard), 500))
 */
export function pool<T>(arb: fc.Arbitrary<T>, size: number, seed = 4): fc.Arbitrary<T> {
  let values: T[] | null = null
  return fc.nat(size - 1).map((i) => {
    values ??= fc.sample(arb, { numRuns: size, seed })
    return values[i] as T
  })
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/**
 * The same for a text format (JSON): the text's UTF-8 bytes are mutated and decoded back
 * (invalid UTF-8 becomes U+FFFD, as `TextDecoder` does on the way in).
 */
export function fuzzText(valid: fc.Arbitrary<string>, maxRandom = 256): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 12,
      arbitrary: fuzzBytes(
        valid.map((s) => enc.encode(s)),
        maxRandom,
      ).map((b) => dec.decode(b)),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: maxRandom }) },
  )
}
