/**
 * Slice store and publish pipeline checks (DESIGN §2, §4.1), portable: vitest runs them on the
 * memory backend + fake-indexeddb, the Chromium worker on real OPFS + IndexedDB.
 */
import fc from 'fast-check'
import { decryptWith } from '../content/decrypt.ts'
import { decryptStream } from '../content/decryptStream.ts'
import { readPlaintext } from '../content/range.ts'
import { storeSource } from '../content/sources.ts'
import { assert, assertBytes, assertEqual, assertRejects, type Check } from '../crypto/_assert.ts'
import { collect } from '../crypto/_content.checks.ts'
import {
  creatorCipher,
  deriveContentKey,
  type SliceCipher,
  sliceCipher,
  sliceHash,
} from '../crypto/content.ts'
import { layout, MIN_SLICE_SIZE } from '../crypto/layout.ts'
import { mapOrdered } from '../crypto/slicer.ts'
import { countBits } from './bitfield.ts'
import type { FileBackend } from './fileBackend.ts'
import type { MemoryBackend } from './memoryBackend.ts'
import { type PublishProgress, publishFile } from './publish.ts'
import type { StorageEstimateFn } from './quota.ts'
import type { SliceStore } from './types.ts'

const S = MIN_SLICE_SIZE
const P = S - 16
const MASTER = new Uint8Array(32).fill(9)
const ROOMY = async () => ({ usage: 0, quota: 2 ** 40 })

/** A fresh store over a fresh backend; `reopen` makes a second store on the same data. */
export type StoreEnv = {
  store: SliceStore
  files: FileBackend
  reopen(): Promise<SliceStore>
  /** Present for the memory backend only (fault injection). */
  memory?: MemoryBackend
  /** Flips one stored byte. */
  corrupt(id: string, at: number): Promise<void>
  /** The real `navigator.storage.estimate()` in the browser; absent in Node. */
  estimate?: StorageEstimateFn
}

function data(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed * 7 + (i >> 8)) & 0xff
  return out
}

async function cipherOf(store: SliceStore, id: string) {
  const item = await store.item(id)
  assert(item, 'item exists')
  return sliceCipher(deriveContentKey(MASTER, item.contentSalt), item.contentSalt)
}

/** Plaintext [start, end) of a stored item, through the one range reader (content/range.ts). */
async function readStored(
  store: SliceStore,
  id: string,
  cipher: SliceCipher,
  start: number,
  end: number,
): Promise<Uint8Array> {
  return readPlaintext(await storeSource(store, id), decryptWith(cipher), { start, end })
}

async function publish(store: SliceStore, bytes: Uint8Array<ArrayBuffer>, extra = {}) {
  return publishFile(
    { store, estimate: ROOMY },
    { input: new Blob([bytes]), cipherOf: creatorCipher(MASTER), sliceSize: S },
    { commitEvery: 2, ...extra },
  )
}

export function storeChecks(makeEnv: () => Promise<StoreEnv>): Check[] {
  return [
    {
      name: 'mapOrdered: source order, bounded window, pulls ahead while the consumer is busy, stops early',
      run: async () => {
        let pulled = 0
        let returned = false
        let inFlight = 0
        let maxInFlight = 0
        async function* source() {
          try {
            for (let i = 0; i < 40; i++) {
              pulled++
              yield i
            }
          } finally {
            returned = true
          }
        }
        const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
        const out: number[] = []
        for await (const v of mapOrdered(source(), 4, async (i) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight)
          await sleep((i * 7) % 5) // finish out of order
          inFlight--
          return i * 10
        })) {
          out.push(v)
          if (out.length === 1) {
            // While the consumer is busy with its first result, its freed slot is refilled.
            await sleep(30)
            assertEqual(pulled, 5, 'the window (4) and the freed slot pulled')
          }
          if (out.length === 10) break
        }
        assertEqual(out.join(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i * 10).join(), 'order')
        assert(maxInFlight <= 4, `at most 4 in flight (${maxInFlight})`)
        assert(pulled <= 15, `the window bounds read-ahead (${pulled} pulled)`)
        assert(returned, 'an early break returns the source')
        await assertRejects(
          async () => {
            for await (const _ of mapOrdered(source(), 3, async (i) => {
              if (i === 5) throw new RangeError('boom')
              return i
            })) {
            }
          },
          'RangeError',
          'a failed call',
        )
      },
    },
    {
      name: 'a batch commit marks only the slices written before it; writes may follow at once',
      run: async () => {
        const env = await makeEnv()
        const item = await env.store.createItem({
          size: 3 * P,
          sliceSize: S,
          contentSalt: new Uint8Array(16).fill(3),
        })
        const cts = [0, 1, 2].map((i) => data(S, 40 + i))
        const hashes = await Promise.all(cts.map((ct) => sliceHash(ct)))
        const w = await env.store.writer(item.id)
        await w.write(0, cts[0] as Uint8Array, hashes[0] as Uint8Array)
        const first = w.commit()
        const second = w.write(1, cts[1] as Uint8Array, hashes[1] as Uint8Array)
        await Promise.all([first, second])
        assert(await env.store.has(item.id, 0), 'slice 0 marked by the first commit')
        assert(!(await env.store.has(item.id, 1)), 'slice 1, written after it began, is not')
        assertBytes(
          await env.store.getSlice(item.id, 0),
          cts[0] as Uint8Array,
          'slice 0 reads back',
        )
        await w.write(2, cts[2] as Uint8Array, hashes[2] as Uint8Array)
        await w.commit()
        await w.close()
        for (const i of [0, 1, 2])
          assertBytes(await env.store.getSlice(item.id, i), cts[i] as Uint8Array, `slice ${i}`)
      },
    },
    {
      name: 'a publish holds its file at the final size from the first slice on',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(7 * P + 3)
        const l = layout(bytes.length, S)
        let probe: Promise<number> | null = null
        const r = await publish(env.store, bytes, {
          commitEvery: 3,
          onProgress: (p: PublishProgress) => {
            if (p.slices !== 1) return
            probe = env.store
              .items()
              .then(([item]) =>
                item ? env.files.read(item.id, l.cipherSize - 1, 1).then((b) => b.length) : -1,
              )
          },
        })
        assert(probe, 'progress reported')
        assertEqual(await probe, 1, 'the final byte exists while the first slice is written')
        assertEqual(countBits(await env.store.bitfield(r.id), r.count), r.count, 'all marked')
        const file = await env.store.blob(r.id)
        assert(file, 'file readable once complete')
        assertEqual(file.size, l.cipherSize, 'exact size')
      },
    },
    {
      name: 'publish then read any byte range back (sizes 0, 1, S−17, S−16, S−15, multi-slice)',
      run: async () => {
        const env = await makeEnv()
        for (const size of [0, 1, P - 1, P, P + 1, 3 * P + 5]) {
          const bytes = data(size, size)
          const progress: PublishProgress[] = []
          const r = await publish(env.store, bytes, {
            onProgress: (p: PublishProgress) => progress.push(p),
          })
          assertEqual(r.count, layout(size, S).count, 'count')
          assertEqual(progress.at(-1)?.done, size, 'final progress')
          assertEqual((await env.store.item(r.id))?.state, 'complete', 'state')
          assertEqual(countBits(await env.store.bitfield(r.id), r.count), r.count, 'all present')
          const cipher = await cipherOf(env.store, r.id)
          assertBytes(await readStored(env.store, r.id, cipher, 0, size), bytes, `whole ${size}`)
          await fc.assert(
            fc.asyncProperty(fc.nat(size), fc.nat(size), async (a, b) => {
              const [lo, hi] = a <= b ? [a, b] : [b, a]
              assertBytes(
                await readStored(env.store, r.id, cipher, lo, hi),
                bytes.subarray(lo, hi),
                `range ${lo}-${hi}`,
              )
            }),
            { numRuns: 8 },
          )
          // The stored file is the plain ciphertext format: it decrypts and matches its root.
          const file = await env.store.blob(r.id)
          assert(file, 'file')
          assertEqual(file.size, layout(size, S).cipherSize, 'file size')
          assertBytes(
            await collect(decryptStream(file, cipher, S, { contentRoot: r.contentRoot, size })),
            bytes,
            'file decrypts',
          )
        }
      },
    },
    {
      name: 'a ReadableStream publishes like a Blob; a wrong announced size leaves nothing',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(2 * P + 3)
        const r = await publishFile(
          { store: env.store, estimate: ROOMY },
          {
            input: new Blob([bytes]).stream(),
            size: bytes.length,
            cipherOf: creatorCipher(MASTER),
            sliceSize: S,
          },
        )
        assertBytes(
          await readStored(env.store, r.id, await cipherOf(env.store, r.id), 0, bytes.length),
          bytes,
          'stream publish',
        )
        const before = (await env.store.items()).length
        await assertRejects(
          () =>
            publishFile(
              { store: env.store, estimate: ROOMY },
              {
                input: new Blob([bytes]).stream(),
                size: bytes.length - P,
                cipherOf: creatorCipher(MASTER),
                sliceSize: S,
              },
            ),
          'RangeError',
          'too long',
        )
        assertEqual((await env.store.items()).length, before, 'no item left')
      },
    },
    {
      name: 'a cancelled publish leaves nothing behind',
      run: async () => {
        const env = await makeEnv()
        const ctl = new AbortController()
        const filesBefore = (await env.files.list()).length
        await assertRejects(
          () =>
            publish(env.store, data(6 * P), {
              signal: ctl.signal,
              onProgress: (p: PublishProgress) => p.slices === 3 && ctl.abort(),
            }),
          'AbortedError',
          'cancel',
        )
        assertEqual((await env.store.items()).length, 0, 'no items')
        assertEqual((await env.files.list()).length, filesBefore, 'no files')
        await assertRejects(
          () => publish(env.store, data(10), { signal: AbortSignal.abort() }),
          'AbortedError',
          'pre-aborted',
        )
        assertEqual((await env.store.items()).length, 0, 'still no items')
      },
    },
    {
      name: 'a file larger than the quota is refused before any work',
      run: async () => {
        const env = await makeEnv()
        const estimate = env.estimate ?? (async () => ({ usage: 1000, quota: 64 * 1024 * 1024 }))
        const { quota } = await estimate()
        // A stream that fails the test if it is read at all: the refusal must come first.
        let pulled = false
        const input = new ReadableStream<Uint8Array>(
          {
            pull() {
              pulled = true
            },
          },
          { highWaterMark: 0 },
        )
        const err = await assertRejects(
          () =>
            publishFile(
              { store: env.store, estimate },
              { input, size: quota + 1, cipherOf: creatorCipher(MASTER), sliceSize: S },
            ),
          'QuotaExceededError',
          'quota',
        )
        assert(err.message.includes('storage'), err.message)
        assertEqual(pulled, false, 'input never read')
        assertEqual((await env.store.items()).length, 0, 'no items')
        assertEqual((await env.files.list()).length, 0, 'no files')
        const tight = async () => ({ usage: 1000, quota: 16 * 1024 * 1024 + 1000 + 100 })
        await assertRejects(
          () =>
            publishFile(
              { store: env.store, estimate: tight },
              { input: new Blob([data(200)]), cipherOf: creatorCipher(MASTER), sliceSize: S },
            ),
          'QuotaExceededError',
          'margin kept',
        )
      },
    },
    {
      name: 'concurrent puts to one item take turns; every slice is stored and marked',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(5 * P + 3)
        const r = await publish(env.store, bytes)
        const item = await env.store.item(r.id)
        assert(item, 'item')
        const slicesOf = await Promise.all(
          Array.from({ length: r.count }, (_, i) => env.store.getSlice(r.id, i)),
        )
        const copy = await env.store.createItem({
          size: item.size,
          sliceSize: S,
          contentSalt: item.contentSalt,
          hashes: await env.store.hashes(r.id),
        })
        await Promise.all(slicesOf.map((b, i) => env.store.putSlice(copy.id, i, b)))
        assertEqual(countBits(await env.store.bitfield(copy.id), r.count), r.count, 'all marked')
        const file = await env.store.blob(copy.id)
        assert(file, 'file readable after puts (no handle left open)')
        assertBytes(
          await collect(
            decryptStream(file, await cipherOf(env.store, r.id), S, { contentRoot: r.contentRoot }),
          ),
          bytes,
          'copy decrypts',
        )
      },
    },
    {
      name: 'metadata updates racing puts (markMissing, setState, cold-cache reads) lose no bit',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(12 * P + 5)
        const r = await publish(env.store, bytes)
        const item = await env.store.item(r.id)
        assert(item, 'item')
        const slices = await Promise.all(
          Array.from({ length: r.count }, (_, i) => env.store.getSlice(r.id, i)),
        )
        const hashes = await env.store.hashes(r.id)
        const copy = await env.store.createItem({
          size: item.size,
          sliceSize: S,
          contentSalt: item.contentSalt,
          hashes,
        })
        // Half the slices are stored first; a reopened store (cold cache) then takes the rest
        // while it is asked for metadata, has slices marked missing and its state changed.
        const half = Math.floor(r.count / 2)
        for (let i = 0; i < half; i++) await env.store.putSlice(copy.id, i, slices[i]!)
        const store = await env.reopen()
        const lost = [1, 3]
        await Promise.all([
          ...slices.slice(half).map((b, k) => store.putSlice(copy.id, half + k, b)),
          ...lost.map((i) => store.markMissing(copy.id, i)),
          store.setState(copy.id, 'partial'),
          store.bitfield(copy.id),
          store.item(copy.id),
          store.has(copy.id, 0),
        ])
        const expectHave = r.count - lost.length
        assertEqual(countBits(await store.bitfield(copy.id), r.count), expectHave, 'in memory')
        const again = await env.reopen()
        assertEqual(countBits(await again.bitfield(copy.id), r.count), expectHave, 'on disk')
        for (const i of lost) assertEqual(await again.has(copy.id, i), false, `slice ${i} missing`)
        assertEqual(await again.has(copy.id, r.count - 1), true, 'last slice kept')
      },
    },
    {
      name: 'a corrupted slice on read is detected, marked missing, and can be stored again',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(3 * P)
        const r = await publish(env.store, bytes)
        const cipher = await cipherOf(env.store, r.id)
        const good = await env.store.getSlice(r.id, 1)
        await env.corrupt(r.id, S + 100)
        await assertRejects(() => env.store.getSlice(r.id, 1), 'SliceCorruptError', 'corrupt read')
        assertEqual(await env.store.has(r.id, 1), false, 'marked missing')
        await assertRejects(
          () => readStored(env.store, r.id, cipher, 0, bytes.length),
          'SliceMissingError',
          'range over a missing slice',
        )
        assertBytes(
          await readStored(env.store, r.id, cipher, 0, P),
          bytes.subarray(0, P),
          'other slices still read',
        )
        const reopened = await env.reopen()
        assertEqual(await reopened.has(r.id, 1), false, 'missing survives reload')
        await reopened.putSlice(r.id, 1, good)
        assertBytes(await readStored(reopened, r.id, cipher, 0, bytes.length), bytes, 'repaired')
      },
    },
    {
      name: 'putSlice checks known hashes; a wrong key is rejected on read',
      run: async () => {
        const env = await makeEnv()
        const r = await publish(env.store, data(2 * P + 1))
        const hashes = await env.store.hashes(r.id)
        const item = await env.store.item(r.id)
        assert(item, 'item')
        const copy = await env.store.createItem({
          size: item.size,
          sliceSize: S,
          contentSalt: item.contentSalt,
          hashes,
        })
        const s0 = await env.store.getSlice(r.id, 0)
        const bad = s0.slice()
        bad[5] = bad[5]! ^ 0x80
        await assertRejects(
          () => copy && env.store.putSlice(copy.id, 0, bad),
          'SliceCorruptError',
          'wrong bytes',
        )
        assertEqual(await env.store.has(copy.id, 0), false, 'not marked')
        await assertRejects(
          () => env.store.putSlice(copy.id, 0, s0.subarray(1)),
          'RangeError',
          'wrong length',
        )
        await env.store.putSlice(copy.id, 0, s0)
        assertEqual(await env.store.has(copy.id, 0), true, 'marked')
        const wrong = await sliceCipher(
          deriveContentKey(new Uint8Array(32).fill(1), item.contentSalt),
          item.contentSalt,
        )
        await assertRejects(
          () => readStored(env.store, r.id, wrong, 0, 10),
          'SliceAuthError',
          'wrong key',
        )
        await assertRejects(
          () => env.store.getSlice('nope', 0),
          'ItemNotFoundError',
          'unknown item',
        )
      },
    },
    {
      name: 'the store survives a reload: items, bitfields and bytes used',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(2 * P + 9)
        const r = await publish(env.store, bytes)
        const used = await env.store.bytesUsed()
        assertEqual(used, layout(bytes.length, S).cipherSize, 'bytes used')
        const again = await env.reopen()
        assertEqual((await again.item(r.id))?.state, 'complete', 'state after reload')
        assertEqual(await again.bytesUsed(), used, 'bytes used after reload')
        assertBytes(
          await readStored(again, r.id, await cipherOf(again, r.id), 0, bytes.length),
          bytes,
          'content after reload',
        )
        await again.remove(r.id)
        assertEqual(await again.item(r.id), null, 'removed')
        assert(!(await env.files.list()).includes(r.id), 'file removed')
      },
    },
  ]
}

/** Fault-injection checks that need the memory backend's model of durability. */
export function crashChecks(makeEnv: () => Promise<StoreEnv>): Check[] {
  return [
    {
      name: 'a crash mid-publish never leaves a slice marked that is not durable; publish resumes',
      run: async () => {
        const env = await makeEnv()
        const mem = env.memory
        assert(mem, 'memory backend')
        const bytes = data(9 * P + 11)
        mem.failAfterWrites = 2 // the third backend write fails
        const err = await assertRejects(
          () => publish(env.store, bytes, { commitEvery: 2, concurrency: 2 }),
          'Error',
          'injected failure',
        )
        assert(err.message.includes('injected'), err.message)
        mem.crash() // unflushed writes are lost, as in a killed tab
        mem.failAfterWrites = Number.POSITIVE_INFINITY
        const store = await env.reopen()
        const [item] = await store.items()
        assert(item, 'partial item kept')
        assertEqual(item.state, 'publishing', 'state')
        const marked = countBits(await store.bitfield(item.id), item.count)
        assert(marked > 0 && marked < item.count, `some slices committed (${marked})`)
        let missingBytes = 0
        for (let i = 0; i < item.count; i++) {
          if (await store.has(item.id, i))
            await store.getSlice(item.id, i) // verifies
          else missingBytes += i === item.count - 1 ? bytes.length - i * P + 16 : S
        }
        const before = mem.bytesWritten
        const r = await publishFile(
          { store, estimate: ROOMY },
          { input: new Blob([bytes]), cipherOf: creatorCipher(MASTER), resumeId: item.id },
          { commitEvery: 2 },
        )
        assertEqual(mem.bytesWritten - before, missingBytes, 'only missing slices written')
        const cipher = await cipherOf(store, r.id)
        assertBytes(
          await readStored(store, r.id, cipher, 0, bytes.length),
          bytes,
          'resumed content',
        )
        const file = await store.blob(r.id)
        assert(file, 'file')
        assertBytes(
          await collect(decryptStream(file, cipher, S, { contentRoot: r.contentRoot })),
          bytes,
          'root matches',
        )
      },
    },
  ]
}
