import { EventEmitter } from 'node:events'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { createGossipGuard, GRAYLIST_THRESHOLD, PENALTY_HALF_LIFE_MS } from './gossipGuard.ts'
import { emptyLimitStats, RELAY_LIMITS, ReadBudget, TokenBuckets, yieldingEvery } from './limits.ts'

const clock = () => {
  let t = 1_000_000
  return {
    now: () => t,
    advance(ms: number) {
      t += ms
    },
  }
}

describe('TokenBuckets', () => {
  it('allows a burst, then the sustained rate, and says how long to wait', () => {
    const c = clock()
    const b = new TokenBuckets({ capacity: 3, perSecond: 2 }, c.now)
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0])
    expect(b.take('a')).toBe(500)
    expect(b.take('b')).toBe(0) // another key has its own bucket
    c.advance(500)
    expect(b.take('a')).toBe(0)
    expect(b.take('a')).toBe(500)
    c.advance(10_000) // refills to the capacity, not beyond
    expect([b.take('a', 3), b.take('a')]).toEqual([0, 500])
  })

  it('takes only while `keep` tokens stay, and peeks without taking', () => {
    const c = clock()
    const b = new TokenBuckets({ capacity: 10, perSecond: 1 }, c.now)
    expect(b.peek('a')).toBe(10) // a new key: a full bucket
    expect(b.take('a', 1, 8)).toBe(0)
    expect(b.take('a', 1, 8)).toBe(0)
    expect(b.take('a', 1, 8)).toBe(1000) // 8 left: one more would go under the floor
    expect(b.peek('a')).toBe(8)
    expect(b.take('a')).toBe(0) // without a floor the same bucket still gives
    expect(b.peek('a')).toBe(7)
    c.advance(500)
    expect(b.peek('a')).toBe(7.5)
  })

  it('keeps at most maxKeys buckets: full ones are swept, then new keys are refused', () => {
    const c = clock()
    const b = new TokenBuckets({ capacity: 2, perSecond: 1, maxKeys: 2 }, c.now)
    b.take('a')
    b.take('b')
    expect(b.take('c')).toBeGreaterThan(0) // both buckets are in debt: fail closed
    expect(b.size).toBe(2)
    c.advance(1_000) // 'a' and 'b' are full again: same as absent
    expect(b.take('c')).toBe(0)
    expect(b.size).toBe(1)
  })
})

describe('yieldingEvery', () => {
  /** Holds the CPU for `ms`, as a signature check and a forward would. */
  const busy = (ms: number) => {
    const end = performance.now() + ms
    while (performance.now() < end) {
      // work
    }
  }

  it('gives the event loop a turn once a run of back-to-back calls has spent its slice', async () => {
    const handled: number[] = []
    const handle = yieldingEvery(10, async (i: number) => {
      busy(3)
      handled.push(i)
    })
    let timerRanAfter = -1
    setTimeout(() => {
      timerRanAfter = handled.length
    }, 0)
    // A backlog of 20 messages, 3 ms each, drained in one chain of promises.
    for (let i = 0; i < 20; i++) await handle(i)
    expect(handled).toHaveLength(20)
    // The timer ran in the middle of the backlog, not after it.
    expect(timerRanAfter).toBeGreaterThan(0)
    expect(timerRanAfter).toBeLessThan(20)
  })

  it('shares one slice per turn among many callers whose work runs in later microtasks', async () => {
    const handled: number[] = []
    const handle = yieldingEvery(10, async (i: number) => {
      await Promise.resolve()
      busy(2)
      handled.push(i)
    })
    // 60 peers' RPC handlers, each with a message waiting, all called in one turn.
    const perTurn: number[] = []
    let counted = 0
    let draining = true
    const count = () => {
      perTurn.push(handled.length - counted)
      counted = handled.length
      if (draining) setImmediate(count)
    }
    setImmediate(count)
    await Promise.all(Array.from({ length: 60 }, (_, i) => handle(i)))
    draining = false
    expect(handled).toHaveLength(60)
    // About 10 ms of work per turn (5 messages of 2 ms), never the whole backlog at once.
    expect(perTurn.length).toBeGreaterThanOrEqual(60 / 8)
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(8)
    expect(handled).toEqual([...handled].sort((a, b) => a - b)) // in the order they came
  })

  it('runs urgent calls first', async () => {
    const order: string[] = []
    const handle = yieldingEvery(
      5,
      async (name: string) => {
        const end = performance.now() + 2
        while (performance.now() < end) {
          // a message's work
        }
        order.push(name)
      },
      { urgent: (name) => name.startsWith('tab') },
    )
    const calls = Array.from({ length: 20 }, (_, i) => handle(`flood ${i}`))
    calls.push(handle('tab'))
    await Promise.all(calls)
    // The tab's call came last but ran within the first turn's few, not after the flood.
    expect(order.indexOf('tab')).toBeLessThan(5)
  })

  it('does not let urgent calls starve the others', async () => {
    const order: string[] = []
    const handle = yieldingEvery(
      5,
      async (name: string) => {
        order.push(name)
      },
      { urgent: (name) => name.startsWith('urgent') },
    )
    const calls = Array.from({ length: 10 }, (_, i) => handle(`urgent ${i}`))
    calls.push(handle('other'))
    calls.push(...Array.from({ length: 10 }, (_, i) => handle(`urgent ${10 + i}`)))
    await Promise.all(calls)
    expect(order.indexOf('other')).toBeLessThan(3)
  })
})

describe('ReadBudget', () => {
  const pausable = () =>
    Object.assign(new EventEmitter(), {
      paused: false,
      /** Bytes the relay sent it. */
      sent: 0,
      pause() {
        this.paused = true
      },
      resume() {
        this.paused = false
      },
      send(data: ArrayBuffer | ArrayBufferView | string) {
        this.sent += typeof data === 'string' ? data.length : data.byteLength
      },
    })
  const huge = { capacity: 1e12, perSecond: 1e12 }

  it('pauses a socket that reads past its own budget until the debt is paid back', async () => {
    const c = clock()
    const reads = new ReadBudget(
      {
        perSocket: { capacity: 1000, perSecond: 10_000 },
        total: huge,
        quiet: huge,
      },
      c.now,
    )
    const socket = pausable()
    reads.attach(socket)
    socket.emit('message', new ArrayBuffer(600))
    socket.emit('message', new ArrayBuffer(400)) // the whole burst, not past it
    expect(socket.paused).toBe(false)
    c.advance(10) // 100 bytes back
    socket.emit('message', new ArrayBuffer(300)) // 200 in debt: 20 ms to pay back
    expect(socket.paused).toBe(true)
    socket.emit('message', new ArrayBuffer(100)) // already read before the pause took hold
    expect(reads.paused).toBe(1)
    await new Promise((r) => setTimeout(r, 40)) // 30 ms of debt on the real clock
    expect(socket.paused).toBe(false)
    // An honest pace, within the rate, is never paused.
    const quiet = pausable()
    reads.attach(quiet)
    for (let i = 0; i < 100; i++) {
      c.advance(10)
      quiet.emit('message', new ArrayBuffer(90))
    }
    expect(quiet.paused).toBe(false)
  })

  it('holds back busy sockets once the total is spent, never a quiet one', () => {
    const c = clock()
    const reads = new ReadBudget(
      {
        perSocket: { capacity: 10_000, perSecond: 1_000 },
        total: { capacity: 3_000, perSecond: 1_000 },
        quiet: { capacity: 200, perSecond: 10 },
      },
      c.now,
    )
    const busy = pausable()
    const tab = pausable()
    reads.attach(busy)
    reads.attach(tab)
    busy.emit('message', new ArrayBuffer(2_500)) // 500 of the total left
    expect(busy.paused).toBe(false)
    busy.emit('message', new ArrayBuffer(600)) // the total in debt, and it is busy
    expect(busy.paused).toBe(true)
    tab.emit('message', new ArrayBuffer(100)) // the total is in debt, but this one is quiet
    tab.emit('message', new ArrayBuffer(90))
    expect(tab.paused).toBe(false)
    tab.emit('message', new ArrayBuffer(100)) // past a tab's pace: now it waits too
    expect(tab.paused).toBe(true)
    expect(reads.paused).toBe(2)
  })

  it('lets a socket answer a share of what it is sent and stay quiet (its flow control)', () => {
    const c = clock()
    const reads = new ReadBudget(
      {
        perSocket: { capacity: 1e6, perSecond: 1e6 },
        total: { capacity: 1_000, perSecond: 1 },
        quiet: { capacity: 200, perSecond: 10 },
        quietShare: 1 / 8,
      },
      c.now,
    )
    const busy = pausable()
    const forwarded = pausable() // a tab the relay forwards a flood to
    const silent = pausable() // sent nothing, sending as much
    for (const s of [busy, forwarded, silent]) reads.attach(s)
    busy.emit('message', new ArrayBuffer(2_000)) // the total in debt from here on
    expect(busy.paused).toBe(true)
    for (let i = 0; i < 50; i++) {
      c.advance(10)
      forwarded.send(new ArrayBuffer(800)) // the relay forwards it 800 bytes…
      forwarded.emit('message', new ArrayBuffer(30)) // …and it answers with a window update
      expect(forwarded.paused).toBe(false)
    }
    expect(forwarded.sent).toBe(40_000)
    // The same answers with nothing sent to it: past a tab's pace, held back for the total.
    for (let i = 0; i < 50 && !silent.paused; i++) {
      c.advance(10)
      silent.emit('message', new ArrayBuffer(30))
    }
    expect(silent.paused).toBe(true)
    // The allowance has the quiet burst as its ceiling: being sent much earns no big burst.
    forwarded.send(new ArrayBuffer(1_000_000))
    forwarded.emit('message', new ArrayBuffer(300))
    expect(forwarded.paused).toBe(true)
  })
})

describe('the gossip guard', () => {
  const peer = peerIdFromString('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')
  const msg = (bytes: number) => ({ data: new Uint8Array(bytes) })

  it('accepts a peer within its budget and ignores the excess', () => {
    const c = clock()
    const stats = emptyLimitStats()
    const g = createGossipGuard(RELAY_LIMITS, stats, c.now)
    const results = Array.from({ length: RELAY_LIMITS.gossipMessageBurst + 5 }, () =>
      g.validate(peer, msg(100)),
    )
    expect(results.filter((r) => r === TopicValidatorResult.Accept)).toHaveLength(
      RELAY_LIMITS.gossipMessageBurst,
    )
    expect(results.slice(-5).every((r) => r === TopicValidatorResult.Ignore)).toBe(true)
    expect(stats).toMatchObject({
      gossipAccepted: RELAY_LIMITS.gossipMessageBurst,
      gossipDropped: 5,
    })
  })

  it('counts bytes too: a few big messages spend the byte budget', () => {
    const c = clock()
    const g = createGossipGuard(RELAY_LIMITS, emptyLimitStats(), c.now)
    const big = RELAY_LIMITS.gossipByteBurst / 4
    const results = Array.from({ length: 6 }, () => g.validate(peer, msg(big)))
    expect(results.filter((r) => r === TopicValidatorResult.Accept)).toHaveLength(4)
  })

  it('graylists a flooder after a few drops, and forgives it as its penalty decays', () => {
    const c = clock()
    const g = createGossipGuard(RELAY_LIMITS, emptyLimitStats(), c.now)
    for (let i = 0; i < RELAY_LIMITS.gossipMessageBurst; i++) g.validate(peer, msg(10))
    expect(g.score(peer.toString())).toBe(0)
    for (let i = 0; i < 100; i++) g.validate(peer, msg(10))
    expect(g.score(peer.toString())).toBeLessThan(GRAYLIST_THRESHOLD)
    expect(g.graylisted()).toBe(1)
    c.advance(PENALTY_HALF_LIFE_MS * 10)
    expect(g.score(peer.toString())).toBeGreaterThan(GRAYLIST_THRESHOLD)
    expect(g.graylisted()).toBe(0)
  })

  it('drops the messages of a peer in debt before any work on them, and graylists it', () => {
    const c = clock()
    const stats = emptyLimitStats()
    const g = createGossipGuard(RELAY_LIMITS, stats, c.now)
    const id = peer.toString()
    expect(g.overBudget(id)).toBe(false)
    for (let i = 0; i < RELAY_LIMITS.gossipMessageBurst; i++) g.validate(peer, msg(10))
    expect(stats.gossipDropped).toBe(0)
    // The budget is spent: each further message is refused at the door and costs score.
    const refused = Array.from({ length: 9 }, () => g.overBudget(id))
    expect(refused.every(Boolean)).toBe(true)
    expect(stats.gossipDropped).toBe(9)
    expect(g.score(id)).toBeLessThan(GRAYLIST_THRESHOLD)
    // It refills at the sustained rate: one message's worth is heard again.
    c.advance(1000 / RELAY_LIMITS.gossipMessagesPerSecond)
    expect(g.overBudget(id)).toBe(false)
  })

  it('sheds the busiest peers when the total budget runs low, and keeps its reserve for quiet ones', async () => {
    const c = clock()
    const stats = emptyLimitStats()
    const limits = {
      ...RELAY_LIMITS,
      gossipTotalMessageBurst: 100,
      gossipTotalMessagesPerSecond: 10,
      gossipQuietReserve: 20,
    }
    const g = createGossipGuard(limits, stats, c.now)
    const busy = await Promise.all(
      Array.from({ length: 20 }, async () =>
        peerIdFromPrivateKey(await generateKeyPair('Ed25519')),
      ),
    )
    // Twenty peers, each within its own budget, send 50 messages at once: the total lets its
    // burst through (a new peer's first messages count as quiet) and sheds the rest, at no
    // cost of score.
    for (let k = 0; k < 50; k++) for (const p of busy) g.validate(p, msg(100))
    expect(stats.gossipAccepted).toBe(limits.gossipTotalMessageBurst)
    expect(stats.gossipShed).toBe(20 * 50 - limits.gossipTotalMessageBurst)
    expect(stats.gossipDropped).toBe(0)
    expect(busy.every((p) => g.score(p.toString()) === 0)).toBe(true)
    // They go on at 10 messages/s each (half their own budget, five times a quiet pace): the
    // total's refill reaches them only down to the reserve.
    for (let t = 0; t < 50; t++) {
      c.advance(100)
      for (const p of busy) g.validate(p, msg(100))
    }
    const refilled = (5 * limits.gossipTotalMessagesPerSecond) as number
    expect(stats.gossipAccepted).toBe(
      limits.gossipTotalMessageBurst + refilled - limits.gossipQuietReserve,
    )
    // A quiet peer still gets through, from the reserve, while the busy ones stay shed.
    const quiet = Array.from({ length: 5 }, () => g.validate(peer, msg(100)))
    expect(quiet.every((r) => r === TopicValidatorResult.Accept)).toBe(true)
    expect(g.validate(busy[0] as PeerId, msg(100))).toBe(TopicValidatorResult.Ignore)
    // Past half its quiet burst, the same peer is shed like the rest.
    const more = Array.from({ length: limits.gossipQuietMessageBurst }, () =>
      g.validate(peer, msg(100)),
    )
    expect(more.filter((r) => r === TopicValidatorResult.Accept)).toHaveLength(
      limits.gossipQuietMessageBurst / 2 - 5,
    )
  })

  it('never drops a peer at an honest tab’s pace', () => {
    const c = clock()
    const stats = emptyLimitStats()
    const g = createGossipGuard(RELAY_LIMITS, stats, c.now)
    // Ten times a busy tab: 5 messages of 4 KiB every second for ten minutes.
    for (let s = 0; s < 600; s++) {
      for (let i = 0; i < 5; i++) g.validate(peer, msg(4096))
      c.advance(1_000)
    }
    expect(stats.gossipDropped).toBe(0)
    expect(g.score(peer.toString())).toBe(0)
  })
})
