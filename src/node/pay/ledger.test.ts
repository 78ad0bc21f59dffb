import 'fake-indexeddb/auto'
import { getAddress, type Hex, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { type LineKey, openPayLedger } from './ledger.ts'

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(2, '0').repeat(20)}`)
const card = (s: string) => keccak256(toHex(s))
const sig = (n: number): Hex => `0x${n.toString(16).padStart(2, '0').repeat(65)}`
let dbs = 0
const fresh = () => `pay-ledger-test-${++dbs}`

describe('pay ledger (IndexedDB)', () => {
  it('records cheques per line and side, refuses to go backwards, survives a reopen', async () => {
    const name = fresh()
    const key: LineKey = { payer: addr(1), payee: addr(2), cardId: card('a') }
    let ledger = await openPayLedger({ dbName: name })
    await ledger.recordCheque('sent', key, {
      cumulative: 1_000n,
      signature: sig(1),
      slices: 1,
      bytes: 262_144,
      day: '2025-01-01',
    })
    await ledger.recordCheque('sent', key, {
      cumulative: 2_000n,
      signature: sig(2),
      slices: 1,
      bytes: 262_144,
      day: '2025-01-01',
    })
    await expect(
      ledger.recordCheque('sent', key, { cumulative: 1_500n, signature: sig(3) }),
    ).rejects.toMatchObject({ name: 'LedgerRegressionError' })
    // The same cheque again is a no-op; the same amount with another signature is not.
    await ledger.recordCheque('sent', key, { cumulative: 2_000n, signature: sig(2) })
    await expect(
      ledger.recordCheque('sent', key, { cumulative: 2_000n, signature: sig(4) }),
    ).rejects.toMatchObject({ name: 'LedgerRegressionError' })
    ledger.close()

    ledger = await openPayLedger({ dbName: name })
    expect(await ledger.get('sent', key)).toMatchObject({
      cumulative: 2_000n,
      signature: sig(2),
      slices: 2,
      bytes: 524_288,
      cashed: 0n,
    })
    expect(await ledger.get('received', key)).toBeUndefined()
    expect(await ledger.spentOn('2025-01-01')).toBe(2_000n)
    expect(await ledger.spentOn('2025-01-02')).toBe(0n)
    ledger.close()
  })

  it('records a sent cheque and stores the next one ahead in one transaction, or neither', async () => {
    const key: LineKey = { payer: addr(1), payee: addr(2), cardId: card('a') }
    const ledger = await openPayLedger({ dbName: fresh() })
    const day = '2025-01-01'
    await ledger.recordCheque('sent', key, {
      cumulative: 1_000n,
      signature: sig(1),
      slices: 1,
      day,
    })
    await ledger.recordCheque(
      'sent',
      key,
      { cumulative: 2_000n, signature: sig(2), slices: 1, day },
      { cumulative: 3_000n, signature: sig(3) },
    )
    expect(await ledger.get('sent', key)).toMatchObject({ cumulative: 2_000n, slices: 2 })
    expect(await ledger.getAhead(key)).toEqual({ cumulative: 3_000n, signature: sig(3) })
    expect(await ledger.spentOn(day)).toBe(2_000n)
    // A regression writes neither.
    await expect(
      ledger.recordCheque(
        'sent',
        key,
        { cumulative: 1_500n, signature: sig(4), day },
        { cumulative: 9_000n, signature: sig(9) },
      ),
    ).rejects.toMatchObject({ name: 'LedgerRegressionError' })
    expect(await ledger.getAhead(key)).toEqual({ cumulative: 3_000n, signature: sig(3) })
    // Only a payer's line signs ahead.
    await expect(
      ledger.recordCheque(
        'received',
        key,
        { cumulative: 1_000n, signature: sig(1) },
        { cumulative: 2_000n, signature: sig(2) },
      ),
    ).rejects.toMatchObject({ name: 'InternalError' })
    expect(await ledger.get('received', key)).toBeUndefined()
    ledger.close()
  })

  it("sums a payer's uncashed cheques across cards and payees, and lists what is owed", async () => {
    const ledger = await openPayLedger({ dbName: fresh() })
    const payer = addr(1)
    const a: LineKey = { payer, payee: addr(2), cardId: card('a') }
    const b: LineKey = { payer, payee: addr(3), cardId: card('b') }
    const other: LineKey = { payer: addr(9), payee: addr(2), cardId: card('a') }
    await ledger.recordCheque('received', a, { cumulative: 5_000n, signature: sig(1) })
    await ledger.recordCheque('received', b, { cumulative: 7_000n, signature: sig(2) })
    await ledger.recordCheque('received', other, { cumulative: 9_000n, signature: sig(3) })
    await ledger.recordCheque(
      'sent',
      { ...a, cardId: card('c') },
      { cumulative: 1n, signature: sig(4) },
    )
    expect(await ledger.uncashedFrom(payer)).toBe(12_000n)
    expect(await ledger.uncashedFrom(payer.toLowerCase() as `0x${string}`, a)).toBe(7_000n)
    await ledger.setCashed('received', b, 7_000n)
    expect(await ledger.uncashedFrom(payer)).toBe(5_000n)
    expect((await ledger.owed()).map((l) => l.cumulative).sort()).toEqual([5_000n, 9_000n])
    ledger.close()
  })

  it('reconciles with ChequeCashed events, once each, in chain order', async () => {
    const ledger = await openPayLedger({ dbName: fresh() })
    const key: LineKey = { payer: addr(1), payee: addr(2), cardId: card('a') }
    await ledger.recordCheque('received', key, { cumulative: 10_000n, signature: sig(1) })
    const events = [
      { ...key, amount: 4_000n, blockNumber: 10n, logIndex: 3 },
      { ...key, amount: 1_000n, blockNumber: 12n, logIndex: 0 },
      // An event for a line this node does not hold is ignored.
      { ...key, payee: addr(7), amount: 1n, blockNumber: 12n, logIndex: 1 },
    ]
    await ledger.reconcile(events)
    await ledger.reconcile(events) // replayed by log sync after a restart
    expect((await ledger.get('received', key))?.cashed).toBe(5_000n)
    await ledger.reconcile([{ ...key, amount: 5_000n, blockNumber: 13n, logIndex: 0 }])
    expect((await ledger.get('received', key))?.cashed).toBe(10_000n)
    expect(await ledger.owed()).toEqual([])
    ledger.close()
  })

  it('lists its lines, and a paidOf read pinned to a block re-bases the events after it', async () => {
    const ledger = await openPayLedger({ dbName: fresh() })
    const key: LineKey = { payer: addr(1), payee: addr(2), cardId: card('a') }
    await ledger.recordCheque('received', key, { cumulative: 10_000n, signature: sig(1) })
    await ledger.recordCheque('sent', key, { cumulative: 3n, signature: sig(2) })
    expect((await ledger.lines()).map((l) => l.side).sort()).toEqual(['received', 'sent'])
    expect((await ledger.lines('sent')).map((l) => l.cumulative)).toEqual([3n])
    await ledger.reconcile([{ ...key, amount: 4_000n, blockNumber: 20n, logIndex: 0 }])
    // A reorg from block 20: paidOf at block 19 was 1,000, and block 20 is read again.
    await ledger.setCashed('received', key, 1_000n, 19n)
    await ledger.reconcile([{ ...key, amount: 2_000n, blockNumber: 20n, logIndex: 0 }])
    expect((await ledger.get('received', key))?.cashed).toBe(3_000n)
    ledger.close()
  })
})
