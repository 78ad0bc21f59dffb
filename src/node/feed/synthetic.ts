/**
 * Synthetic cards for benchmarks on a development chain: the feed bench fills a database with
 * them in a worker, and the UI bench asks the app's node for them (`feed.devFill`). Both go
 * through `applyEvents`, the indexer's own write path, so the rows, index keys and counts are
 * those of real cards.
 */
import type { Card, CardKind, Hex } from '../../shared/card/card.ts'
import type { FeedEvent } from './ingest.ts'

const KINDS: CardKind[] = ['post', 'image', 'video', 'audio', 'doc', 'software', 'site']

/**
 * `n` made-up words (three consonant–vowel pairs and an index), the same every time.
 * @example syntheticWords(3)[0] // 'hefoha0'
 */
export function syntheticWords(n = 3000): string[] {
  return Array.from({ length: n }, (_, i) => {
    const a = 'bcdfghjklmnprstvz'
    const v = 'aeiou'
    let w = ''
    let k = i + 7
    for (let s = 0; s < 3; s++) {
      w += a[k % a.length]! + v[Math.floor(k / a.length) % v.length]!
      k = Math.floor(k / 5) + s * 13
    }
    return `${w}${i}`
  })
}

/** A seeded linear congruential generator in [0, 1): the same sequence for the same seed. */
export function seededRandom(seed = 42): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff
    return s / 0x7fffffff
  }
}

/** A ThumbHash of a blue-green gradient (16 × 12 px), for synthetic cards that have a picture. */
export const SYNTHETIC_PLACEHOLDER = Uint8Array.from([
  99, 247, 5, 85, 148, 113, 119, 119, 128, 120, 120, 135, 119, 120, 135, 136, 112, 133, 8, 199, 135,
])

/** Card j's id: `0xfeed…`, apart from any small test id (a real id is a keccak hash). */
export function syntheticId(j: number): Hex {
  return `0xfeed${j.toString(16).padStart(60, '0')}`
}

export type SyntheticOptions = {
  /** ms: the newest card's time; card j is j minutes older. */
  now: number
  words: readonly string[]
  rand: () => number
  /** A ThumbHash every picture, video and app card carries (as published cards do). */
  placeholder?: Uint8Array | undefined
}

/**
 * The events that index cards `from` … `to − 1`: every kind in turn, one in five paid, 500
 * creators, two tags each, and a reaction on every third.
 */
export function syntheticEvents(from: number, to: number, o: SyntheticOptions): FeedEvent[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(o.rand() ** 2 * xs.length)] as T
  const events: FeedEvent[] = []
  for (let j = from; j < to; j++) {
    const id = syntheticId(j)
    const words = Array.from({ length: 12 }, () => pick(o.words))
    const kind = KINDS[j % KINDS.length] as CardKind
    const pictured = kind === 'image' || kind === 'video' || kind === 'software' || kind === 'site'
    const card: Card = {
      v: 1,
      kind,
      title: words.slice(0, 5).join(' '),
      text: words.slice(5).join(' '),
      tags: [pick(o.words), pick(o.words)],
      createdAt: Math.floor((o.now - j * 60_000) / 1000),
      access:
        j % 5 === 0
          ? {
              price: 10n ** 16n,
              supply: 0,
              royaltyBps: 500,
              keyAgent: '0x0000000000000000000000000000000000000001',
            }
          : { free: true },
      ...(kind === 'site' ? { site: { entry: 'index.html' } } : {}),
      ...(o.placeholder && pictured ? { preview: { placeholder: o.placeholder } } : {}),
    }
    const creator = `0x${(j % 500).toString(16).padStart(40, '0')}` as Hex
    events.push({ type: 'card', id, creator, card, block: j, logIndex: 0, seenAt: o.now })
    if (j % 3 === 0) events.push({ type: 'reaction', cardId: id, from: creator, kind: 1, block: j })
  }
  return events
}
