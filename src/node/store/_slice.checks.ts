/**
 * Checks of the slice store itself (DESIGN §2): concurrent puts and metadata updates, corrupt
 * slices, known hashes, a reload. Portable, like _store.checks.ts.
 */
import { decryptStream } from '../content/decryptStream.ts'
import { assert, assertBytes, assertEqual, assertRejects, type Check } from '../crypto/_assert.ts'
import { collect } from '../crypto/_content.checks.ts'
import { deriveContentKey, sliceCipher } from '../crypto/content.ts'
import { layout } from '../crypto/layout.ts'
import {
  cipherOf,
  data,
  emptyCopy,
  P,
  publish,
  readStored,
  S,
  type StoreEnv,
} from './_store.fixtures.ts'
import { countBits } from './bitfield.ts'

/** Item `id`'s file reads back as a blob and decrypts, under `original`'s key, to `bytes`. */
async function assertCopyDecrypts(
  env: StoreEnv,
  id: string,
  original: { id: string; contentRoot: Uint8Array },
  bytes: Uint8Array,
  what: string,
): Promise<void> {
  const file = await env.store.blob(id)
  assert(file, `${what}: file readable`)
  const cipher = await cipherOf(env.store, original.id)
  assertBytes(
    await collect(decryptStream(file, cipher, S, { contentRoot: original.contentRoot })),
    bytes,
    `${what} decrypts`,
  )
}

/** The slice store checks, in the order storeChecks runs them. */
export function sliceChecks(makeEnv: () => Promise<StoreEnv>): Check[] {
  return [
    {
      name: 'concurrent puts to one item take turns; every slice is stored and marked',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(5 * P + 3)
        const r = await publish(env.store, bytes)
        const { slices, copy } = await emptyCopy(env.store, r.id)
        await Promise.all(slices.map((b, i) => env.store.putSlice(copy.id, i, b)))
        assertEqual(countBits(await env.store.bitfield(copy.id), r.count), r.count, 'all marked')
        await assertCopyDecrypts(env, copy.id, r, bytes, 'copy (no handle left open after puts)')
      },
    },
    {
      name: 'metadata updates racing puts (markMissing, setState, cold-cache reads) lose no bit',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(12 * P + 5)
        const r = await publish(env.store, bytes)
        const { slices, copy } = await emptyCopy(env.store, r.id)
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
        const { item, copy } = await emptyCopy(env.store, r.id)
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
      name: 'a removed item is gone at once, its file follows; the same id made again keeps its bytes; orphans are swept',
      run: async () => {
        const env = await makeEnv()
        const bytes = data(3 * P + 1)
        const r = await publish(env.store, bytes)
        const { item, slices, copy } = await emptyCopy(env.store, r.id)
        await Promise.all(slices.map((b, i) => env.store.putSlice(copy.id, i, b)))
        await env.store.remove(copy.id)
        assertEqual(await env.store.item(copy.id), null, 'gone at once')
        await assertRejects(() => env.store.getSlice(copy.id, 0), 'ItemNotFoundError', 'no reads')
        // Made again before the old file is deleted: its writes come after the deletion.
        const again = await env.store.createItem({
          id: copy.id,
          size: item.size,
          sliceSize: S,
          contentSalt: item.contentSalt,
          hashes: await env.store.hashes(r.id),
        })
        await Promise.all(slices.map((b, i) => env.store.putSlice(again.id, i, b)))
        await env.store.removals()
        await assertCopyDecrypts(env, again.id, r, bytes, 'the new item')
        // A crash between a removal's commit and its file's deletion leaves an orphan.
        const w = await env.files.openWriter('orphan')
        await w.write(data(100), 0)
        await w.flush()
        await w.close()
        assertEqual((await env.store.sweep()).join(), 'orphan', 'swept')
        const left = await env.files.list()
        assert(!left.includes('orphan'), 'orphan deleted')
        assert(left.includes(r.id) && left.includes(again.id), 'items kept')
        assertEqual((await env.store.sweep()).length, 0, 'nothing more to sweep')
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
        await again.removals()
        assert(!(await env.files.list()).includes(r.id), 'file removed')
      },
    },
  ]
}
