/**
 * Checks of the publish path (DESIGN §4.1): its ordered map, its batch writer, and publishFile
 * from a Blob or a stream, cancelled, or refused for quota. Portable, like _store.checks.ts.
 */
import fc from 'fast-check'
import { decryptStream } from '../content/decryptStream.ts'
import { assert, assertBytes, assertEqual, assertRejects, type Check } from '../crypto/_assert.ts'
import { collect } from '../crypto/_content.checks.ts'
import { creatorCipher, sliceHash } from '../crypto/content.ts'
import { layout } from '../crypto/layout.ts'
import { mapOrdered } from '../crypto/slicer.ts'
import {
  cipherOf,
  data,
  MASTER,
  P,
  publish,
  ROOMY,
  readStored,
  S,
  type StoreEnv,
} from './_store.fixtures.ts'
import { countBits } from './bitfield.ts'
import { type PublishProgress, publishFile } from './publish.ts'

/** The publish checks, in the order storeChecks runs them. */
export function publishChecks(makeEnv: () => Promise<StoreEnv>): Check[] {
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
        await env.store.removals()
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
        await env.store.removals()
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
  ]
}
