import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sliceCipher } from '../crypto/content.ts'
import { layout, MIN_SLICE_SIZE } from '../crypto/layout.ts'
import { encryptAll, encryptedItem } from '../store/_store.fixtures.ts'
import type { SliceStore } from '../store/types.ts'
import { serialStore } from '../swarm/serialStore.ts'
import { decryptWith } from './decrypt.ts'
import { plaintextRange, type RangeOptions, readPlaintext, type SliceSource } from './range.ts'
import { type SwarmSlices, swarmSource } from './sources.ts'

const S = 65536
/** The swarm's source over `serial`, serving item `id`; `slice` is how a slice arrives. */
async function source(
  serial: SliceStore,
  id: string,
  slice: SwarmSlices['slice'],
  setPosition: SwarmSlices['setPosition'] = () => {},
): Promise<SliceSource> {
  const item = await serial.item(id)
  if (!item) throw new Error(`no item ${id}`)
  return swarmSource({ slice, setPosition }, serial, item)
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of it) parts.push(p)
  return Buffer.concat(parts)
}

describe('plaintextRange over the swarm', () => {
  it('yields exactly the plaintext of a range, waiting for missing slices', async () => {
    const { store, cipher, l, plain, slices, id } = await encryptedItem(4 * (S - 16) + 7)
    const serial = serialStore(store)
    const positions: number[] = []
    const waited: number[] = []
    const src = await source(
      serial,
      id,
      async (_, i) => {
        if (!(await store.has(id, i))) {
          waited.push(i)
          await serial.putSlice(id, i, slices[i]!)
        }
      },
      (_, p) => positions.push(p),
    )
    await serial.putSlice(id, 1, slices[1]!)
    const start = S - 16 - 5
    const end = 3 * (S - 16) + 3
    const parts: Uint8Array[] = []
    const signal = new AbortController().signal
    for await (const p of plaintextRange(src, decryptWith(cipher), { start, end }, { signal }))
      parts.push(p)
    const got = new Uint8Array(parts.reduce((k, p) => k + p.length, 0))
    let o = 0
    for (const p of parts) {
      got.set(p, o)
      o += p.length
    }
    expect(got).toEqual(plain.subarray(start, end))
    expect(waited).toEqual([0, 2, 3])
    expect(positions[0]).toBe(start)
    expect(l.count).toBe(5)
  })

  it('prepares up to `ahead` slices at once and still yields them in order', async () => {
    const { store, cipher, plain, slices, id } = await encryptedItem(5 * (S - 16))
    const serial = serialStore(store)
    for (const [i, ct] of slices.entries()) await serial.putSlice(id, i, ct)
    const asked: number[] = []
    const gates = new Map<number, () => void>()
    // Slice 0 is held back until the others were asked for.
    const src = await source(serial, id, (_, i) => {
      asked.push(i)
      return i === 0 ? new Promise<void>((r) => gates.set(i, r)) : Promise.resolve()
    })
    const o: RangeOptions = { signal: new AbortController().signal, ahead: 3 }
    const it = plaintextRange(src, decryptWith(cipher), { start: 0, end: plain.length }, o)
    const first = it.next()
    await new Promise((r) => setTimeout(r, 20))
    expect(asked).toEqual([0, 1, 2])
    gates.get(0)?.()
    const parts = [(await first).value as Uint8Array]
    for await (const p of it) parts.push(p)
    expect(Buffer.concat(parts)).toEqual(Buffer.from(plain))
    expect(asked).toEqual([0, 1, 2, 3, 4])
  })

  it('yields exactly the plaintext of any range, for any read-ahead and arrival order', async () => {
    const { store, cipher, l, plain, slices, id } = await encryptedItem(6 * (S - 16) - 1234)
    const contentSalt = (await store.item(id))?.contentSalt as Uint8Array
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: plain.length - 1 }),
        fc.integer({ min: 1, max: plain.length }),
        fc.integer({ min: 1, max: 8 }),
        // Which slices are stored already, and how long each missing one takes to arrive.
        fc.array(fc.option(fc.integer({ min: 0, max: 6 })), {
          minLength: l.count,
          maxLength: l.count,
        }),
        async (start, len, ahead, arrival) => {
          const end = Math.min(plain.length, start + len)
          // A fresh item of the same content each run, so no run sees another's slices.
          const serial = serialStore(store)
          const { id: item } = await serial.createItem({
            size: plain.length,
            sliceSize: S,
            contentSalt,
          })
          for (const [i, delay] of arrival.entries())
            if (delay === null) await serial.putSlice(item, i, slices[i] as Uint8Array)
          const arriving = new Map<number, Promise<void>>()
          const src = await source(serial, item, (_, i) => {
            const delay = arrival[i]
            if (delay === null || delay === undefined) return Promise.resolve()
            let p = arriving.get(i)
            if (!p) {
              p = new Promise<void>((r) => setTimeout(r, delay)).then(() =>
                serial.putSlice(item, i, slices[i] as Uint8Array),
              )
              arriving.set(i, p)
            }
            return p
          })
          const signal = new AbortController().signal
          const got = await collect(
            plaintextRange(src, decryptWith(cipher), { start, end }, { signal, ahead }),
          )
          expect(got).toEqual(Buffer.from(plain.subarray(start, end)))
        },
      ),
      { numRuns: 40 },
    )
  }, 120_000) // 40 runs of real slice I/O: slow on a loaded 2-core machine
})

describe('plaintextRange over any layout', () => {
  /**
   * An item held in memory whose slices become available in `order` (a permutation), one per
   * tick, whatever the reader asks for first: `ensure(i)` waits until slice i was released.
   */
  function arriving(cts: Uint8Array[], order: number[]): SliceSource['ensure'] {
    const release: (() => void)[] = []
    const ready = cts.map((_, i) => new Promise<void>((r) => (release[i] = r)))
    void (async () => {
      for (const i of order) {
        await new Promise((r) => setTimeout(r, 0))
        release[i]?.()
      }
    })()
    return async (i) => {
      await ready[i]
      return cts[i] as Uint8Array
    }
  }

  it('yields exactly plaintext.slice(start, end) for any size, S, range and arrival order', async () => {
    const cipher = await sliceCipher(new Uint8Array(32).fill(3), new Uint8Array(16).fill(5))
    const P = MIN_SLICE_SIZE - 16
    const item = fc
      .record({
        sliceSize: fc.constantFrom(MIN_SLICE_SIZE, 2 * MIN_SLICE_SIZE),
        size: fc.oneof(fc.integer({ min: 0, max: 4 * P + 3 }), fc.constantFrom(0, 1, P, 2 * P)),
      })
      .chain(({ sliceSize, size }) => {
        const count = layout(size, sliceSize).count
        return fc.record({
          sliceSize: fc.constant(sliceSize),
          size: fc.constant(size),
          a: fc.integer({ min: 0, max: size + 10 }),
          b: fc.integer({ min: 0, max: size + 10 }),
          ahead: fc.integer({ min: 1, max: 6 }),
          order: fc.shuffledSubarray(
            Array.from({ length: count }, (_, i) => i),
            { minLength: count, maxLength: count },
          ),
        })
      })
    await fc.assert(
      fc.asyncProperty(item, async ({ sliceSize, size, a, b, ahead, order }) => {
        const l = layout(size, sliceSize)
        const plain = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff)
        const cts = await encryptAll(cipher, l, plain)
        const src: SliceSource = { layout: l, ensure: arriving(cts, order) }
        const start = Math.min(a, b, size)
        const end = Math.max(a, b)
        const got = await readPlaintext(src, decryptWith(cipher), { start, end }, { ahead })
        expect(Buffer.from(got)).toEqual(Buffer.from(plain.slice(start, end)))
      }),
      { numRuns: 40 },
    )
  }, 120_000) // 40 runs of real slice I/O: slow on a loaded 2-core machine
})
