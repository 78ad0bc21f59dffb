import fc from 'fast-check'
import { getAddress, keccak256, toHex } from 'viem'
import { describe, expect, it, vi } from 'vitest'
import { BurstTimer, cashBatchGas, type OwedLine, planCashOut } from './cashPolicy.ts'

const payee = getAddress(`0x${'cd'.repeat(20)}`)
const owedLine = (i: number, owed: bigint, renewed = true): OwedLine => ({
  payer: getAddress(`0x${(i + 1).toString(16).padStart(2, '0').repeat(20)}`),
  payee,
  cardId: keccak256(toHex(`card ${i % 3}`)),
  owed,
  renewed,
})
const gwei = 10n ** 9n

describe('cash-out policy', () => {
  it('waits until owed passes the multiple of the batch gas, then cashes', () => {
    const lines = [owedLine(0, 10n ** 14n), owedLine(1, 10n ** 14n, false)]
    const gas = cashBatchGas.base + cashBatchGas.renewedLine + cashBatchGas.newLine
    const plan = planCashOut(lines, { gasPrice: gwei })
    expect(plan).toMatchObject({ owed: 2n * 10n ** 14n, gas, cost: gas * gwei })
    // 2 × 10^14 wei owed against 10 × 99,000 gwei = 9.9 × 10^14: not yet.
    expect(plan.cash).toBe(false)
    expect(planCashOut(lines, { gasPrice: gwei, onDemand: true }).cash).toBe(true)
    expect(planCashOut(lines, { gasPrice: gwei, multiple: 2n }).cash).toBe(true)
  })

  it('leaves out lines that pay less than their own gas, and caps the batch, largest first', () => {
    const dust = owedLine(0, 23_000n * gwei)
    const big = Array.from({ length: 5 }, (_, i) => owedLine(i + 1, BigInt(i + 1) * 10n ** 15n))
    const plan = planCashOut([dust, ...big], { gasPrice: gwei, maxBatch: 3, onDemand: true })
    expect(plan.entries).toHaveLength(3)
    expect(plan.entries.map((e) => e.owed).sort()).toEqual([3n, 4n, 5n].map((n) => n * 10n ** 15n))
    expect(planCashOut([dust], { gasPrice: gwei, onDemand: true }).cash).toBe(false)
  })

  it('always: entries sorted by card, cost = gas × price, cash only if worth it or asked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 16n }), fc.boolean()), {
          maxLength: 40,
        }),
        fc.bigInt({ min: 0n, max: 100n * gwei }),
        fc.boolean(),
        (specs, gasPrice, onDemand) => {
          const lines = specs.map(([o, r], i) => owedLine(i, o, r))
          const plan = planCashOut(lines, { gasPrice, onDemand })
          expect(plan.entries.length).toBeLessThanOrEqual(50)
          const ids = plan.entries.map((e) => e.cardId)
          expect(ids).toEqual([...ids].sort())
          for (const e of plan.entries)
            expect(e.owed).toBeGreaterThan(
              (e.renewed ? cashBatchGas.renewedLine : cashBatchGas.newLine) * gasPrice,
            )
          expect(plan.cost).toBe(plan.gas * gasPrice)
          if (plan.cash) expect(onDemand || plan.owed >= 10n * plan.cost).toBe(true)
          else
            expect(plan.entries.length === 0 || (!onDemand && plan.owed < 10n * plan.cost)).toBe(
              true,
            )
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('BurstTimer: when the policy looks after cheques', () => {
  it('looks once cheques pause, and at the latest maxMs into a burst that never pauses', async () => {
    vi.useFakeTimers()
    try {
      const looks: number[] = []
      const timer = new BurstTimer(2_000, 60_000, () => looks.push(Date.now()), Date.now)
      const t0 = Date.now()
      // A cheque every 100 ms for 5 s, then a pause: one look, 2 s after the last.
      for (let i = 0; i < 50; i++) {
        timer.poke()
        await vi.advanceTimersByTimeAsync(100)
      }
      expect(looks).toEqual([])
      await vi.advanceTimersByTimeAsync(2_000)
      expect(looks.map((t) => t - t0)).toEqual([4_900 + 2_000])
      // A stream that never pauses for 150 s: a look every 60 s, not every 2 s.
      looks.length = 0
      const t1 = Date.now()
      for (let i = 0; i < 1_500; i++) {
        timer.poke()
        await vi.advanceTimersByTimeAsync(100)
      }
      expect(looks.map((t) => t - t1)).toEqual([60_000, 120_000])
      timer.stop()
      await vi.advanceTimersByTimeAsync(10_000)
      expect(looks).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
