/**
 * Per-card earnings by UTC day: the 7-day window, the deferred writes to the prefs database
 * (fake-indexeddb), and what a new session loads back (older days dropped).
 */
import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { CardEarnings, dayOf, type StoredEarning } from './earnings.ts'
import { openPayPrefs } from './prefs.ts'

const DAY = 24 * 60 * 60 * 1000
const T0 = Date.UTC(2026, 11, 1, 12) // noon UTC
const A = `0x${'a1'.repeat(32)}`
const B = `0x${'b2'.repeat(32)}`

describe('card earnings', () => {
  it('sums the last 7 UTC days, today included, per card', () => {
    let now = T0
    const saved: StoredEarning[][] = []
    const e = new CardEarnings({
      rows: [],
      save: async (rows) => void saved.push([...rows]),
      now: () => now,
      flushMs: 60_000,
    })
    e.add(A, 5n)
    e.add(A.toUpperCase().replace('0X', '0x'), 7n) // one card, whatever the case
    e.add(B, 100n)
    e.add(A, 0n)
    now = T0 + 6 * DAY
    e.add(A, 1n)
    expect(e.lastDays(A)).toBe(13n)
    expect(e.lastDays(B)).toBe(100n)
    expect(e.lastDays(A, 1)).toBe(1n)
    // Day 7 after T0's: T0's day is out of the window.
    now = T0 + 7 * DAY
    expect(e.lastDays(A)).toBe(1n)
    expect(e.lastDays(B)).toBe(0n)
    expect(e.lastDays(`0x${'00'.repeat(32)}`)).toBe(0n)
  })

  it('writes a burst once, and a new session loads the window back', async () => {
    const prefs = await openPayPrefs(`earnings-${Math.random()}`)
    let now = T0 - 9 * DAY
    let writes = 0
    const open = async () =>
      new CardEarnings({
        rows: await prefs.earned(dayOf(now) - 6),
        save: (rows) => {
          writes++
          return prefs.saveEarned(rows)
        },
        now: () => now,
        flushMs: 60_000,
      })
    const first = await open()
    first.add(A, 40n) // nine days before T0: gone by then
    now = T0 - DAY
    first.add(A, 2n)
    first.add(A, 3n)
    first.add(B, 9n)
    await first.flush()
    const rows = (await prefs.earned(0)).map(
      (r) => `${r.cardId.slice(0, 4)} ${r.day - dayOf(T0)} ${r.wei}`,
    )
    expect(rows.sort()).toEqual(['0xa1 -1 5', '0xa1 -9 40', '0xb2 -1 9'])
    expect(writes).toBe(1) // one write for the burst
    now = T0
    const second = await open()
    expect(second.lastDays(A)).toBe(5n)
    expect(second.lastDays(B)).toBe(9n)
    // Loading for the window deleted the row older than it.
    expect((await prefs.earned(0)).some((r) => r.wei === '40')).toBe(false)
    prefs.close()
  })
})
