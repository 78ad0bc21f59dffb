/**
 * PayerBook's bookkeeping of which events a pinned read already holds: events up to the read's
 * block are in it, later ones apply on top (queued while the read is in flight), and a reset
 * reads again. The chain itself is exercised in service.test.ts; here the read is a function.
 */
import { type Address, getAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { type BookAccount, type ChequebookLog, PayerBook } from './book.ts'

const payer = getAddress(`0x${'11'.repeat(20)}`)
const other = getAddress(`0x${'22'.repeat(20)}`)

const log = (blockNumber: bigint, eventName: string, args: Record<string, unknown>) =>
  ({ eventName, args: { payer, ...args }, blockNumber, logIndex: 0 }) as unknown as ChequebookLog

/** A book whose reads wait until `answer` is called; `synced` moves as a test says. */
function harness(fromBlock = 10n) {
  let synced = 20n
  const reads: { payer: Address; block: bigint; answer(a: BookAccount): void }[] = []
  const book = new PayerBook({
    fromBlock,
    syncedTo: () => synced,
    read: (p, block) =>
      new Promise<BookAccount>((resolve) => reads.push({ payer: p, block, answer: resolve })),
  })
  return {
    book,
    reads,
    setSynced: (n: bigint) => {
      synced = n
    },
  }
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('PayerBook', () => {
  it('reads a payer once at the synced block and applies only later events on top', async () => {
    const h = harness()
    h.book.watch(payer)
    h.book.watch(payer)
    expect(h.reads).toHaveLength(1)
    expect(h.reads[0]?.block).toBe(20n)
    expect(h.book.available(payer)).toBe(0n) // unknown: no credit
    h.book.apply([
      log(20n, 'Deposited', { amount: 5n, balance: 100n }), // already in the read
      log(21n, 'ChequeCashed', { payee: other, amount: 7n }),
      log(22n, 'WithdrawAnnounced', { amount: 30n, unlockAt: 999n }),
    ])
    h.reads[0]?.answer({ balance: 100n, announced: 0n, unlockAt: 0 })
    await tick()
    expect(h.book.account(payer)).toEqual({ balance: 93n, announced: 30n, unlockAt: 999 })
    expect(h.book.available(payer)).toBe(63n)
    h.book.apply([log(23n, 'Withdrawn', { amount: 30n })])
    expect(h.book.account(payer)).toEqual({ balance: 63n, announced: 0n, unlockAt: 0 })
    h.book.apply([log(24n, 'Deposited', { amount: 37n, balance: 100n })])
    expect(h.book.available(payer)).toBe(100n)
  })

  it('needs no read before the deployment block, and reads everyone again after a reorg', async () => {
    const h = harness(30n)
    h.book.watch(payer) // synced to 20 < 30: the sync will deliver every event
    expect(h.reads).toHaveLength(0)
    h.book.apply([log(31n, 'Deposited', { amount: 50n, balance: 50n })])
    expect(h.book.available(payer)).toBe(50n)
    h.setSynced(40n)
    h.book.reset()
    expect(h.reads.map((r) => r.block)).toEqual([40n])
    expect(h.book.account(payer)).toBeNull()
    h.reads[0]?.answer({ balance: 45n, announced: 0n, unlockAt: 0 })
    await tick()
    expect(h.book.available(payer)).toBe(45n)
  })

  it('ignores unwatched payers and reads a failed payer again, but not at once', async () => {
    let now = 0
    let fail = true
    const book = new PayerBook({
      fromBlock: 0n,
      syncedTo: () => 5n,
      now: () => now,
      retryMs: 1_000,
      read: async () => {
        if (fail) throw new Error('rpc down')
        return { balance: 9n, announced: 0n, unlockAt: 0 }
      },
    })
    book.apply([log(6n, 'Deposited', { amount: 1n, balance: 1n })])
    expect(book.account(payer)).toBeNull()
    book.watch(payer)
    await tick()
    expect(book.account(payer)).toBeNull()
    fail = false
    book.watch(payer) // too soon after the failure
    await tick()
    expect(book.account(payer)).toBeNull()
    now = 1_000
    book.watch(payer)
    await tick()
    expect(book.available(payer)).toBe(9n)
  })
})
