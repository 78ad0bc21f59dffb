/**
 * Property checks of the slice AEAD and the streaming decrypt (DESIGN §2), portable between
 * vitest and the Chromium worker. Sizes use S = 64 KiB so multi-slice cases stay fast.
 */
import { concatBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { decryptStream } from '../content/decryptStream.ts'
import { assert, assertBytes, assertEqual, assertRejects, type Check, hex } from './_assert.ts'
import {
  deriveContentKey,
  encryptSlice,
  type SliceCipher,
  sliceCipher,
  sliceNonce,
} from './content.ts'
import { layout, MIN_SLICE_SIZE, slicesForRange } from './layout.ts'
import { merkleLeaf, merkleNode, merkleRoot } from './merkle.ts'
import { slices } from './slicer.ts'

const S = MIN_SLICE_SIZE
const P = S - 16

/** Encrypts `pt` into one ciphertext file the straightforward way (the reference). */
export async function encryptAll(
  c: SliceCipher,
  pt: Uint8Array,
  sliceSize = S,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const s of slices(new Blob([pt as Uint8Array<ArrayBuffer>]), sliceSize - 16))
    out.push(await encryptSlice(c, s.index, s.last, s.bytes))
  return out
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return concatBytes(...parts)
}

const blob = (parts: Uint8Array[]) => new Blob(parts as Uint8Array<ArrayBuffer>[])

/** Sizes that matter: empty, 1, around one slice boundary, several slices. */
const sizeArb = fc.oneof(
  fc.constantFrom(0, 1, P - 1, P, P + 1, 2 * P, 3 * P + 7),
  fc.integer({ min: 0, max: 4 * P }),
)

function filled(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

async function cipherFor(seed: number): Promise<SliceCipher> {
  const salt = new Uint8Array(16).fill(seed & 0xff)
  return sliceCipher(deriveContentKey(new Uint8Array(32).fill(7), salt), salt)
}

export const contentChecks: Check[] = [
  {
    name: 'nonce layout is u8(last) ‖ 0x000000 ‖ u64be(i)',
    run: async () => {
      assertBytes(sliceNonce(0, false), hex('000000000000000000000000'), 'first')
      assertBytes(sliceNonce(0x0102030405, true), hex('010000000000000102030405'), 'last')
    },
  },
  {
    name: 'layout: empty file is one 16-byte slice; ranges map to slices',
    run: async () => {
      const e = layout(0, S)
      assertEqual(e.count, 1, 'count')
      assertEqual(e.cipherSize, 16, 'cipherSize')
      assertEqual(slicesForRange(e, 0, 10), null, 'empty range')
      const l = layout(3 * P + 1, S)
      assertEqual(l.count, 4, 'count')
      assertEqual(JSON.stringify(slicesForRange(l, P - 1, P + 1)), '{"first":0,"last":1}', 'span')
      await assertRejects(async () => layout(1, 3 * 65536), 'RangeError', 'not a power of two')
      await assertRejects(async () => layout(1, 32768), 'RangeError', 'too small')
    },
  },
  {
    name: 'merkle: RFC 6962 shape, leaves and nodes domain-separated',
    run: async () => {
      const h = [0, 1, 2].map((n) => new Uint8Array(32).fill(n))
      const [a, b, c] = h.map(merkleLeaf) as [Uint8Array, Uint8Array, Uint8Array]
      assertBytes(merkleRoot([h[0]!]), a, 'one leaf')
      assertBytes(merkleRoot(h), merkleNode(merkleNode(a, b), c), 'three leaves')
      assert(merkleRoot([h[0]!]).join() !== h[0]!.join(), 'leaf ≠ its input')
    },
  },
  {
    name: 'round trip for any size (0, 1, S−17, S−16, S−15, multi-slice), Blob and stream input',
    run: async () => {
      const c = await cipherFor(1)
      await fc.assert(
        fc.asyncProperty(sizeArb, fc.integer({ min: 1, max: 70000 }), async (size, chunk) => {
          const pt = filled(size, size)
          const cts = await encryptAll(c, pt)
          assertEqual(cts.length, layout(size, S).count, 'slice count')
          // Stream the ciphertext in arbitrary chunk sizes: re-chunking must not matter.
          const whole = await new Blob(cts as Uint8Array<ArrayBuffer>[]).bytes()
          const stream = new ReadableStream<Uint8Array>({
            start(ctl) {
              for (let o = 0; o < whole.length; o += chunk) ctl.enqueue(whole.slice(o, o + chunk))
              ctl.close()
            },
          })
          const root = merkleRoot(
            await Promise.all(
              cts.map(
                async (x) =>
                  new Uint8Array(
                    await crypto.subtle.digest('SHA-256', x as Uint8Array<ArrayBuffer>),
                  ),
              ),
            ),
          )
          assertBytes(
            await collect(decryptStream(stream, c, S, { contentRoot: root, size })),
            pt,
            'stream',
          )
          assertBytes(await collect(decryptStream(blob(cts), c, S)), pt, 'blob')
        }),
        { numRuns: 25 },
      )
    },
  },
  {
    name: 'flipping any ciphertext bit is rejected with SliceAuthError',
    run: async () => {
      const c = await cipherFor(2)
      await fc.assert(
        fc.asyncProperty(
          sizeArb,
          fc.nat(),
          fc.integer({ min: 0, max: 7 }),
          async (size, at, bit) => {
            const whole = await blob(await encryptAll(c, filled(size, 3))).bytes()
            const pos = at % whole.length
            whole[pos] = whole[pos]! ^ (1 << bit)
            await assertRejects(
              () => collect(decryptStream(blob([whole]), c, S)),
              'SliceAuthError',
              `flip at ${pos}`,
            )
          },
        ),
        { numRuns: 25 },
      )
    },
  },
  {
    name: 'reordered, truncated or extended files are rejected',
    run: async () => {
      const c = await cipherFor(3)
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2 * P + 1, max: 4 * P }), fc.nat(), async (size, r) => {
          const cts = await encryptAll(c, filled(size, 5))
          const n = cts.length
          const i = r % (n - 1)
          const swapped = [...cts]
          ;[swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!]
          const dec = (parts: Uint8Array[], size?: number) =>
            collect(decryptStream(blob(parts), c, S, size === undefined ? {} : { size }))
          await assertRejects(() => dec(swapped), 'SliceAuthError', 'reordered')
          await assertRejects(
            () => dec(cts.slice(0, n - 1)),
            'SliceAuthError',
            'truncated at a slice boundary',
          )
          const last = cts[n - 1]!
          const cut = r % last.length
          const short = [...cts.slice(0, n - 1), last.slice(0, cut)]
          await assertRejects(
            () => dec(short),
            cut > 0 && cut < 16 ? 'ContentFormatError' : 'SliceAuthError',
            'truncated inside the last slice',
          )
          await assertRejects(() => dec([...cts, cts[0]!]), 'SliceAuthError', 'extended by a slice')
          await assertRejects(
            () => dec([...cts, new Uint8Array([1])]),
            'SliceAuthError',
            'extended by a byte',
          )
        }),
        {
          numRuns: 10,
          examples: [
            [2 * P + 1, 0],
            [2 * P + 1, 5],
            [2 * P + 1, 16],
            [3 * P, 2],
          ],
        },
      )
    },
  },
  {
    name: 'a wrong key or salt is rejected with SliceAuthError',
    run: async () => {
      const c = await cipherFor(4)
      const cts = await encryptAll(c, filled(1000, 1))
      const other = await cipherFor(5)
      await assertRejects(
        () => collect(decryptStream(blob(cts), { ...c, key: other.key }, S)),
        'SliceAuthError',
        'wrong key',
      )
      await assertRejects(
        () => collect(decryptStream(blob(cts), { ...c, aad: other.aad }, S)),
        'SliceAuthError',
        'wrong salt',
      )
    },
  },
  {
    name: 'input checks name the argument (TypeError / RangeError)',
    run: async () => {
      const e = await assertRejects(
        async () => deriveContentKey(new Uint8Array(31), new Uint8Array(16)),
        'RangeError',
        'short master',
      )
      assert(e.message.includes('contentMaster') && e.message.includes('32'), e.message)
      await assertRejects(
        async () => deriveContentKey('x' as unknown as Uint8Array, new Uint8Array(16)),
        'TypeError',
        'string master',
      )
    },
  },
]
