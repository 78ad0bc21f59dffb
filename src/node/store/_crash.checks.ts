/**
 * Crash checks of the publish path (DESIGN §2 atomicity per slice): they need the memory
 * backend's model of durability, so only vitest runs them.
 */
import { decryptStream } from '../content/decryptStream.ts'
import { assert, assertBytes, assertEqual, assertRejects, type Check } from '../crypto/_assert.ts'
import { collect } from '../crypto/_content.checks.ts'
import { creatorCipher } from '../crypto/content.ts'
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
import { publishFile } from './publish.ts'

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
