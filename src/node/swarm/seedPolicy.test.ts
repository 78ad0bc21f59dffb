import { describe, expect, it } from 'vitest'
import { itemsToPark, itemsToResume, type SwarmedItem } from './seedPolicy.ts'
import { PLAYING_MS } from './uses.ts'

const NOW = 1_700_000_000_000
const long = NOW - 10 * 60_000
const item = (itemId: string, over: Partial<SwarmedItem> = {}): SwarmedItem => ({
  itemId,
  origin: 'peer',
  since: long,
  ...over,
})

describe('seed what I watch: which items leave the swarm', () => {
  const none = new Set<string>()

  it('with the setting off, parks fetched items once nobody plays them', () => {
    const items = [
      item('watched'),
      item('own', { origin: 'own' }),
      item('pinned'),
      item('playing'),
      item('just-added', { since: NOW - PLAYING_MS + 1 }),
      item('added-long-enough', { since: NOW - PLAYING_MS }),
    ]
    const parked = itemsToPark(items, {
      keeps: (id) => id === 'pinned',
      playing: new Set(['playing']),
      now: NOW,
    })
    expect(parked).toEqual(['watched', 'added-long-enough'])
  })

  it('with the setting on, parks nothing', () => {
    expect(
      itemsToPark([item('a'), item('b')], { keeps: () => true, playing: none, now: NOW }),
    ).toEqual([])
  })

  it('resumes the parked items the policy keeps now (setting on, or pinned)', () => {
    expect(itemsToResume(['a', 'b', 'c'], (id) => id !== 'b')).toEqual(['a', 'c'])
    expect(itemsToResume(new Set(['a']), () => false)).toEqual([])
  })
})
