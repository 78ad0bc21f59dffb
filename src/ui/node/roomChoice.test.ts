import { describe, expect, it } from 'vitest'
import type { RoomAsk } from '../../shared/errors/seed.ts'
import { choiceCovers, chosenBytes, suggestedChoice } from './roomChoice.ts'

const MiB = 1024 * 1024
const ask: RoomAsk = {
  bytes: 24 * MiB,
  shortfall: 10 * MiB,
  candidates: [
    { id: 'old', kind: 'content', bytes: 16 * MiB, pinned: true, own: false, suggested: true },
    { id: 'mine', kind: 'content', bytes: 8 * MiB, pinned: false, own: true, suggested: false },
    { id: 'pv', kind: 'preview', bytes: 4 * MiB, pinned: false, own: true, suggested: false },
  ],
}

describe('choosing what to remove for room', () => {
  it('starts from the suggestion, which covers the shortfall', () => {
    expect(suggestedChoice(ask)).toEqual(['old'])
    expect(choiceCovers(ask, suggestedChoice(ask))).toBe(true)
  })

  it('adds up the chosen items and says when they are not enough', () => {
    expect(chosenBytes(ask, ['mine', 'pv'])).toBe(12 * MiB)
    expect(choiceCovers(ask, ['mine', 'pv'])).toBe(true)
    expect(choiceCovers(ask, ['mine'])).toBe(false)
    expect(choiceCovers(ask, [])).toBe(false)
    expect(chosenBytes(ask, ['unknown'])).toBe(0)
  })
})
