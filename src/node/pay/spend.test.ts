import 'fake-indexeddb/auto'
import fc from 'fast-check'
import { bytesToHex, getAddress, keccak256, toHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type ChequeLine, createChequeVerifier, signChequeBytes } from './cheques.ts'
import { openPayLedger } from './ledger.ts'
import { describeReject, judgeTerms, PayerLine, SpendBudget, type SpendLimits } from './spend.ts'
import type { PayTerms } from './wire.ts'

const cardId = keccak256(toHex('item'))
const limits: SpendLimits = { maxPrice: 1_000n, perItem: 10_000n, perDay: 25_000n }
const budget = (spentToday = 0n, now = () => Date.UTC(2025, 0, 1, 12)) =>
  new SpendBudget({ limits, spentToday, now })

function line(p: Partial<ConstructorParameters<typeof PayerLine>[0]> = {}) {
  const log: string[] = []
  const l = new PayerLine({
    cardId,
    price: 1_000n,
    signed: 0n,
    sign: async (c) => {
      log.push(`sign ${c}`)
      return new Uint8Array(65).fill(Number(c % 251n))
    },
    persist: async (c) => {
      log.push(`persist ${c.cumulative}`)
    },
    budget: budget(),
    ...p,
  })
  return { l, log }
}

describe('payer: terms and caps', () => {
  it('takes terms only for our chain, chequebook and card, at or below the max price', () => {
    const expected = {
      chainId: 31337,
      chequebook: getAddress(`0x${'ab'.repeat(20)}`),
      cardId,
    }
    const terms: PayTerms = {
      type: 'terms',
      ...expected,
      payee: getAddress(`0x${'cd'.repeat(20)}`),
      price: 1_000n,
      credit: 2,
    }
    expect(judgeTerms(terms, expected, limits)).toEqual({ ok: true })
    expect(judgeTerms({ ...terms, price: 1_001n }, expected, limits)).toEqual({
      ok: false,
      reason: 'too_expensive',
    })
    expect(judgeTerms({ ...terms, chainId: 1 }, expected, limits)).toMatchObject({
      reason: 'wrong_chain',
    })
    expect(judgeTerms({ ...terms, cardId: keccak256('0x01') }, expected, limits)).toMatchObject({
      reason: 'wrong_card',
    })
    expect(judgeTerms({ ...terms, chequebook: terms.payee }, expected, limits)).toMatchObject({
      reason: 'wrong_chequebook',
    })
    expect(describeReject('over_balance')).toContain('top it up')
  })

  it('stops at the per-item and per-day caps with a clear error; a new day starts afresh', () => {
    let now = Date.UTC(2025, 0, 1, 23, 59)
    const b = new SpendBudget({ limits, spentToday: 20_000n, now: () => now })
    b.reserve(cardId, 5_000n)
    expect(() => b.reserve(cardId, 1n)).toThrow("Today's spending cap is reached.")
    now += 2 * 60_000
    b.reserve(cardId, 5_000n)
    expect(() => b.reserve(cardId, 1n)).toThrow('The spending cap for this item is reached.')
    b.release(cardId, 5_000n)
    expect(b.spent(cardId)).toEqual({ today: 0n, item: 5_000n })
  })
})

describe('payer: cheques per slice', () => {
  it('signs signed + price after each slice, persisting before handing the cheque out', async () => {
    const { l, log } = line({ signed: 4_000n })
    const c1 = await l.onSliceVerified()
    const c2 = await l.onSliceVerified()
    expect([c1?.cumulative, c2?.cumulative]).toEqual([5_000n, 6_000n])
    expect(log).toEqual(['sign 5000', 'persist 5000', 'sign 6000', 'persist 6000'])
    expect(l.signed).toBe(6_000n)
  })

  it('keeps order when slices verify concurrently', async () => {
    const { l } = line()
    const cheques = await Promise.all(Array.from({ length: 5 }, () => l.onSliceVerified()))
    expect(cheques.map((c) => c?.cumulative)).toEqual([1_000n, 2_000n, 3_000n, 4_000n, 5_000n])
  })

  it('sends nothing when persisting fails, and gives the budget back', async () => {
    const b = budget()
    const { l } = line({
      budget: b,
      persist: async () => {
        throw new Error('disk full')
      },
    })
    await expect(l.onSliceVerified()).rejects.toThrow('disk full')
    expect(l.signed).toBe(0n)
    expect(b.spent(cardId)).toEqual({ today: 0n, item: 0n })
  })

  it('free peers cost nothing; a reached cap stops paid fetching', async () => {
    const free = line({ price: 0n })
    expect(await free.l.onSliceVerified()).toBe(null)
    const capped = line({ budget: budget(24_500n) })
    await expect(capped.l.onSliceVerified()).rejects.toMatchObject({ name: 'SpendingCapError' })
  })

  it('a reload goes on from the ledger; a lost ledger from the seeder’s receipt if it is ours', async () => {
    const account = privateKeyToAccount(generatePrivateKey())
    const wire: ChequeLine = {
      chainId: 31337,
      chequebook: getAddress(`0x${'ab'.repeat(20)}`),
      payer: account.address,
      payee: getAddress(`0x${'cd'.repeat(20)}`),
      cardId,
    }
    const ledger = await openPayLedger({ dbName: 'spend-test' })
    const b = budget()
    const make = async () =>
      new PayerLine({
        cardId,
        price: 1_000n,
        signed: (await ledger.get('sent', wire))?.cumulative ?? 0n,
        sign: (c) => signChequeBytes(account, wire, c),
        persist: async (c) => {
          await ledger.recordCheque('sent', wire, {
            cumulative: c.cumulative,
            signature: bytesToHex(c.signature),
            slices: 1,
            day: c.day,
          })
        },
        budget: b,
      })
    const first = await make()
    await first.onSliceVerified()
    await first.onSliceVerified()
    // "Reload": a new line from the same ledger signs above what was signed.
    const second = await make()
    expect((await second.onSliceVerified())?.cumulative).toBe(3_000n)
    expect(await ledger.spentOn(b.day())).toBe(3_000n)

    // A payer without its ledger hears the seeder's receipt and checks it signed it.
    const check = createChequeVerifier().forLine(wire)
    const held = { cumulative: 3_000n, signature: await signChequeBytes(account, wire, 3_000n) }
    const amnesiac = new PayerLine({
      cardId,
      price: 1_000n,
      signed: 0n,
      sign: (c) => signChequeBytes(account, wire, c),
      persist: async () => undefined,
      budget: budget(),
    })
    const lie = { cumulative: 9_000n, signature: held.signature }
    await amnesiac.adoptReceipt(lie, check(lie.cumulative, lie.signature))
    expect(amnesiac.signed).toBe(0n)
    await amnesiac.adoptReceipt(held, check(held.cumulative, held.signature))
    expect((await amnesiac.onSliceVerified())?.cumulative).toBe(4_000n)
    ledger.close()
  })
})

describe('payer: cheques written ahead', () => {
  /** A line with a write-ahead store in memory; `log` shows the order of every step. */
  function aheadLine(
    o: {
      signed?: bigint
      stored?: { cumulative: bigint; signature: Uint8Array }
      budget?: SpendBudget
    } = {},
  ) {
    let stored = o.stored
    const made = line({
      ...(o.signed === undefined ? {} : { signed: o.signed }),
      ...(o.budget === undefined ? {} : { budget: o.budget }),
      // Recording a cheque may store the next one ahead in the same write.
      persist: async (c, ahead) => {
        made.log.push(`persist ${c.cumulative}${ahead ? ` + ahead ${ahead.cumulative}` : ''}`)
        if (ahead) stored = ahead
      },
      persistAhead: async (c) => {
        made.log.push(`ahead ${c.cumulative}`)
        stored = c
      },
      loadAhead: async () => stored,
    })
    return { ...made, stored: () => stored }
  }

  it('signs and stores the next cheque while the slice downloads, and sends it at once', async () => {
    const { l, log, stored } = aheadLine()
    expect((await l.onSliceVerified())?.cumulative).toBe(1_000n)
    await l.settled()
    // The first cheque took the slow path; the second was signed and stored ahead of it.
    expect(log).toEqual(['sign 1000', 'persist 1000', 'sign 2000', 'ahead 2000'])
    log.length = 0
    const second = await l.onSliceVerified()
    // On disk before it was handed out, and nothing signed or recorded in between.
    expect(second).toEqual({ type: 'cheque', ...stored(), cumulative: 2_000n })
    expect(log).toEqual([])
    await l.settled()
    // The next cheque is signed first, then the sent one is recorded with it stored ahead, in
    // one write.
    expect(log).toEqual(['sign 3000', 'persist 2000 + ahead 3000'])
  })

  it('after a reload goes on from the cheque stored ahead, never below it', async () => {
    const signature = new Uint8Array(65).fill(9)
    // The ledger recorded 1,000; 2,000 was stored ahead and may have left before the crash.
    const { l, log } = aheadLine({ signed: 1_000n, stored: { cumulative: 2_000n, signature } })
    const next = await l.onSliceVerified()
    expect(next).toEqual({ type: 'cheque', cumulative: 2_000n, signature })
    await l.settled()
    expect(log).toEqual(['sign 3000', 'persist 2000 + ahead 3000'])
  })

  it('records a cheque sent from ahead even when signing the next one fails; the next goes the slow way', async () => {
    const log: string[] = []
    const errors: string[] = []
    let failing = false
    const l = new PayerLine({
      cardId,
      price: 1_000n,
      signed: 0n,
      budget: budget(),
      sign: async (c) => {
        if (failing) throw new Error('no key')
        log.push(`sign ${c}`)
        return new Uint8Array(65).fill(1)
      },
      persist: async (c, ahead) => {
        log.push(`persist ${c.cumulative}${ahead ? ` + ahead ${ahead.cumulative}` : ''}`)
      },
      persistAhead: async (c) => void log.push(`ahead ${c.cumulative}`),
      onError: (err) => errors.push(err.message),
    })
    await l.onSliceVerified()
    await l.settled()
    failing = true
    expect((await l.onSliceVerified())?.cumulative).toBe(2_000n) // from ahead
    await l.settled()
    expect(errors).toEqual(['no key'])
    expect(log.slice(-1)).toEqual(['persist 2000'])
    failing = false
    log.length = 0
    expect((await l.onSliceVerified())?.cumulative).toBe(3_000n)
    expect(log).toEqual(['sign 3000', 'persist 3000'])
  })

  it('skips a cheque stored ahead that a receipt has overtaken', async () => {
    const old = { cumulative: 2_000n, signature: new Uint8Array(65).fill(9) }
    const { l } = aheadLine({ signed: 1_000n, stored: old })
    await l.adoptReceipt({ cumulative: 5_000n, signature: new Uint8Array(65).fill(5) }, true)
    expect((await l.onSliceVerified())?.cumulative).toBe(6_000n)
  })

  it('pays a batch of slices with one cheque, signed and recorded once, then signs ahead again', async () => {
    const { l, log, stored } = aheadLine({ signed: 1_000n })
    await l.settled()
    expect((await l.onSliceVerified())?.cumulative).toBe(2_000n)
    await l.settled()
    log.length = 0
    // Three slices verified while the line was busy: the cheque stored ahead (3,000) pays
    // only one, so one cheque for all three is signed and recorded before it is handed out.
    const batch = await l.onSliceVerified(3)
    expect(batch?.cumulative).toBe(5_000n)
    expect(log).toEqual(['sign 5000', 'persist 5000'])
    expect(l.signed).toBe(5_000n)
    await l.settled()
    expect(log.slice(2)).toEqual(['sign 6000', 'ahead 6000'])
    // The next single slice goes out from ahead again.
    log.length = 0
    expect(await l.onSliceVerified()).toEqual({ type: 'cheque', ...stored(), cumulative: 6_000n })
    expect(log).toEqual([])
  })

  it('whatever the batches and however they overlap, pays exactly the slices verified, in order, each on disk first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 10_000n }),
        // Groups of batches started together (slices verified while cheques were in the making).
        fc.array(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), {
          maxLength: 12,
        }),
        async (start, groups) => {
          const signed = start * 1_000n
          const roomy = { maxPrice: 1_000n, perItem: 10n ** 9n, perDay: 10n ** 9n }
          const b = new SpendBudget({ limits: roomy, spentToday: 0n })
          const { l, log } = aheadLine({ signed, budget: b })
          const disk = new Set<string>()
          const onDisk = () => {
            for (const e of log)
              for (const m of e.matchAll(/(?:persist|ahead) (\d+)/g)) disk.add(m[1] as string)
          }
          const sent: bigint[] = []
          for (const group of groups) {
            const cheques = await Promise.all(
              group.map(async (n) => {
                const c = await l.onSliceVerified(n)
                onDisk()
                // On disk (recorded, or stored ahead) before it is handed out to be sent.
                expect(disk.has(String(c?.cumulative))).toBe(true)
                return c?.cumulative ?? -1n
              }),
            )
            sent.push(...cheques)
          }
          const total = groups.flat().reduce((a, n) => a + n, 0)
          // Each cheque pays its batch on top of the one before: together, every slice once.
          let expected = signed
          for (const [k, n] of groups.flat().entries()) {
            expected += BigInt(n) * 1_000n
            expect(sent[k]).toBe(expected)
          }
          expect(l.signed).toBe(signed + BigInt(total) * 1_000n)
          // The caps counted every slice once.
          expect(b.spent(cardId).item).toBe(BigInt(total) * 1_000n)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('refuses a batch of no slices, or of a part of one', async () => {
    const { l, log } = line()
    for (const n of [0, -1, 1.5, Number.NaN])
      await expect(l.onSliceVerified(n)).rejects.toMatchObject({ name: 'InvalidInputError' })
    expect(log).toEqual([])
    expect(l.signed).toBe(0n)
  })

  it('counts a whole batch against the caps: one that does not fit sends nothing', async () => {
    const b = new SpendBudget({ limits: { ...limits, perItem: 4_000n }, spentToday: 0n })
    const { l, log } = line({ budget: b })
    expect((await l.onSliceVerified(3))?.cumulative).toBe(3_000n)
    await expect(l.onSliceVerified(2)).rejects.toThrow('spending cap for this item')
    expect(l.signed).toBe(3_000n)
    expect(b.spent(cardId).item).toBe(3_000n)
    expect(log).toEqual(['sign 3000', 'persist 3000'])
    expect((await l.onSliceVerified(1))?.cumulative).toBe(4_000n)
  })

  it('counts a cheque sent from ahead against the caps, and stops at them', async () => {
    const b = new SpendBudget({ limits: { ...limits, perItem: 2_000n }, spentToday: 0n })
    const capped = line({ budget: b, persistAhead: async () => undefined })
    await capped.l.onSliceVerified()
    await capped.l.settled()
    await capped.l.onSliceVerified()
    await expect(capped.l.onSliceVerified()).rejects.toThrow('spending cap for this item')
    expect(b.spent(cardId).item).toBe(2_000n)
  })
})
