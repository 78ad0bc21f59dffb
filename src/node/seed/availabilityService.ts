/**
 * The availability map at work (DESIGN §4.7): this node announces what it holds and folds
 * what other nodes announce into each item's health — seeders, complete copies, cheapest
 * price — for the feed's cards, the "needs seeders" lens and eviction's rarity term.
 *
 * - **Sending.** Every {@link AVAILABILITY_TICK_MS} the service reads the items in the swarm
 *   (those with at least one verified slice) and hands them to the announcer
 *   (availability.ts), which signs with the node's peer key and sends each item at most once
 *   per interval (60 s). A newly held item is therefore announced within one tick, not a
 *   minute later. An item that leaves (evicted) is withdrawn — announced once with no slices —
 *   as soon as its minute allows, unless peers have expired it by then anyway.
 * - **Receiving.** Summaries are judged in gossipsub's validation step, so a forged or
 *   malformed one is rejected (never forwarded), a stale or future-dated one ignored, and an
 *   accepted one is folded into the aggregator (health.ts) in the same pass: decoded and
 *   verified once.
 * - **Leaving.** A node whose connection to this one closes is counted out at once (its
 *   entries are dropped: a closed tab is the common way to leave), rather than after the TTL;
 *   if it is still online through other peers, its next announcement (within a minute)
 *   counts it again. A node never connected directly still leaves by the TTL.
 * - **This node** counts itself from its own store rather than from its echo (gossipsub does
 *   not deliver a node's own messages): its health is the network's plus itself, at once.
 *   Eviction's `seeders` are the *other* nodes only (a copy here does not make it less rare).
 *
 * The signer follows the network's peer key; a restart under a new identity starts afresh
 * (peers count the old key's announcements too until they expire: one node, briefly twice).
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { InvalidInputError } from '../../shared/errors/common.ts'
import {
  type ItemHealthWire,
  MAX_HEALTH_QUERY,
} from '../../shared/protocol/methods/availability.ts'
import type { RpcResult } from '../../shared/protocol/rpc.ts'
import { TOPICS } from '../../shared/topics.ts'
import { logger } from '../log.ts'
import type { GossipVerdict } from '../net/network.ts'
import type { Registrar, RpcHandler } from '../rpc/server.ts'
import { countBits } from '../store/bitfield.ts'
import {
  ANNOUNCE_INTERVAL_MS,
  type AnnounceLimiter,
  type Announcer,
  type AvailabilitySigner,
  createAnnounceLimiter,
  createAnnouncer,
  type HeldItem,
} from './availability.ts'
import { createHealthAggregator, type HealthAggregator } from './health.ts'

const log = logger('seed:availability')

/** How often the held items are read and the due ones announced (ms). */
export const AVAILABILITY_TICK_MS = 5_000
/** How long an announcement counts (health.ts's default): one late message is tolerated. */
export const AVAILABILITY_TTL_MS = 90_000

/** The running network as the service needs it (createNode adapts net/runtime.ts). */
export type AvailabilityNetwork = {
  /** The key summaries are signed with and a way to publish; rejects while offline. */
  current(): Promise<{
    signer: AvailabilitySigner
    publish(topic: string, data: Uint8Array): Promise<unknown>
  }>
  /** Installs gossipsub's validator for `topic` on every network run; returns the uninstall. */
  validate(topic: string, fn: (data: Uint8Array, from: string) => GossipVerdict): () => void
  /** Calls `fn` with a peer's public key when this node's last connection to it closes. */
  onPeerGone?(fn: (publicKey: Uint8Array) => void): () => void
}

/** An item in this node's swarm: its store bitfield says which slices it can serve. */
export type LocalItem = {
  itemId: string
  /** 40 hex digits (with or without 0x). */
  infoHash: string
  slices: number
  bitfield: Uint8Array
}

export type AvailabilityComponents = {
  network: AvailabilityNetwork
  /** The items in the swarm now (SwarmService.list). */
  items(): Promise<LocalItem[]>
  /** The price per slice an item charges, in wei (the seed settings). */
  priceOf(itemId: string): bigint
  rpc?: Registrar
}

export type AvailabilityInit = {
  /** 0 turns the timer off (tests call {@link AvailabilityService.tick}). */
  tickMs?: number
  intervalMs?: number
  ttlMs?: number
  now?: () => number
}

/** What this node holds of one item, for its own part of the health and its announcement. */
type Mine = { slices: number; held: number; bitfield: Uint8Array; price: bigint }

const HEX40 = /^(0x)?[0-9a-f]{40}$/
const keyOf = (infoHash: string): string => `0x${infoHash.toLowerCase().replace(/^0x/, '')}`
const hexOf = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** Factory in the libp2p style: `availabilityService(init)(components)`; registers `seed.health`. */
export function availabilityService(init: AvailabilityInit = {}) {
  return (c: AvailabilityComponents) => {
    const service = new AvailabilityService(c, init)
    const health: RpcHandler<'seed.health'> = async (p) => service.healthOf(p?.infoHashes)
    c.rpc?.register({ 'seed.health': health })
    return service
  }
}

export class AvailabilityService {
  readonly aggregator: HealthAggregator
  private readonly interval: number
  private readonly ttl: number
  private readonly tickMs: number
  private readonly now: () => number
  private timer: ReturnType<typeof setInterval> | null = null
  private uninstall: (() => void) | null = null
  private unfollow: (() => void) | null = null
  private running: Promise<void> | null = null
  /** Set by stop(): a round in flight then neither starts the network again nor publishes. */
  private stopped = false
  /** The announcer of the current signer, and the signer's public key (hex). */
  private sender: { key: string; announcer: Announcer; limiter: AnnounceLimiter } | null = null
  /** infoHash key → this node's holding, from the last tick. */
  private mine = new Map<string, Mine>()
  /** itemId → infoHash key, for eviction's ports. */
  private byItem = new Map<string, string>()
  /** infoHash key → the last time it was announced held, and its slices (to withdraw it). */
  private readonly announced = new Map<string, { at: number; slices: number }>()

  constructor(
    private readonly c: AvailabilityComponents,
    init: AvailabilityInit,
  ) {
    this.interval = init.intervalMs ?? ANNOUNCE_INTERVAL_MS
    this.ttl = init.ttlMs ?? AVAILABILITY_TTL_MS
    this.now = init.now ?? Date.now
    this.aggregator = createHealthAggregator({ ttlMs: this.ttl, now: this.now })
    this.tickMs = init.tickMs ?? AVAILABILITY_TICK_MS
  }

  /** Judges received summaries from now on and starts announcing. */
  start(): void {
    this.stopped = false
    this.uninstall ??= this.c.network.validate(TOPICS.availability, (data) => this.receive(data))
    this.unfollow ??= this.c.network.onPeerGone?.((key) => this.peerGone(key)) ?? null
    if (this.tickMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.tick(), this.tickMs)
      void this.tick()
    }
  }

  stop(): void {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.uninstall?.()
    this.uninstall = null
    this.unfollow?.()
    this.unfollow = null
  }

  /** A peer's connection closed: what it announced stops counting now (see Leaving). */
  peerGone(publicKey: Uint8Array): void {
    const dropped = this.aggregator.forgetSigner(publicKey)
    if (dropped > 0) log('a peer left: %d of its entries dropped', dropped)
  }

  /** gossipsub's verdict on one received summary; an accepted one is folded in. */
  receive(data: Uint8Array): GossipVerdict {
    const r = this.aggregator.ingest(data)
    if (r.ok) return 'accept'
    if (r.reason === 'stale' || r.reason === 'future') return 'ignore' // a clock, not a forger
    log('rejected a summary: %s', r.reason)
    return 'reject'
  }

  /** One round: read what is held, announce what is due, prune what expired. One at a time. */
  tick(): Promise<void> {
    this.running ??= this.round()
      .catch((err: Error) => log.warn('announcing failed: %s', err.message))
      .finally(() => {
        this.running = null
      })
    return this.running
  }

  private async round(): Promise<void> {
    const items = await this.c.items()
    const now = this.now()
    const mine = new Map<string, Mine>()
    this.byItem = new Map()
    for (const i of items) {
      const key = keyOf(i.infoHash)
      this.byItem.set(i.itemId, key)
      const held = countBits(i.bitfield, i.slices)
      const { slices, bitfield } = i
      if (held > 0) mine.set(key, { slices, held, bitfield, price: this.c.priceOf(i.itemId) })
    }
    this.mine = mine
    this.aggregator.prune()
    if (this.stopped) return
    const net = await this.c.network.current().catch(() => null)
    if (!net || this.stopped) return // offline: the next tick tries again
    const sender = this.senderFor(net.signer)
    const due: HeldItem[] = []
    for (const [key, m] of mine) {
      if (!sender.limiter.ready(key, now)) continue
      const { slices, bitfield, price } = m
      due.push({ infoHash: hexToBytes(key.slice(2)), slices, bitfield, price })
    }
    for (const [key, a] of this.announced) {
      if (mine.has(key)) continue
      // Peers have dropped it by now anyway, or will before the limiter lets a withdrawal go.
      if (now - a.at >= this.ttl) this.announced.delete(key)
      else if (sender.limiter.ready(key, now))
        due.push({ infoHash: hexToBytes(key.slice(2)), slices: a.slices, held: 0, price: 0n })
    }
    if (due.length === 0) return
    const messages = await sender.announcer.announce(due, now)
    for (const d of due) {
      const key = `0x${hexOf(d.infoHash)}`
      if (mine.has(key)) this.announced.set(key, { at: now, slices: d.slices })
      else this.announced.delete(key)
    }
    for (const m of messages)
      await net.publish(TOPICS.availability, m).catch((err: Error) => {
        log.warn('publishing a summary failed: %s', err.message)
      })
  }

  private senderFor(signer: AvailabilitySigner) {
    const key = `0x${hexOf(signer.publicKey)}`
    if (this.sender?.key !== key) {
      const limiter = createAnnounceLimiter({ intervalMs: this.interval })
      this.sender = { key, limiter, announcer: createAnnouncer({ signer, limiter }) }
      this.announced.clear() // announcements under another key: peers expire them
    }
    return this.sender
  }

  /** One item's health: what other nodes announce, plus this node's own holding. */
  health(infoHash: string): ItemHealthWire {
    const key = keyOf(infoHash)
    const others = this.aggregator.health(
      key,
      this.sender ? { except: this.sender.key } : undefined,
    )
    const own = this.mine.get(key)
    let cheapest = others.cheapestPrice
    if (own && (cheapest === null || own.price < cheapest)) cheapest = own.price
    return {
      infoHash: key,
      seeders: others.seeders + (own ? 1 : 0),
      completeCopies: others.completeCopies + (own && own.held === own.slices ? 1 : 0),
      cheapestPrice: cheapest === null ? null : cheapest.toString(),
      local: own !== undefined,
      updatedAt: others.updatedAt,
    }
  }

  /** Other nodes known to hold an item of this node's swarm (eviction's rarity); 0 if unknown. */
  seeders(itemId: string): number {
    const key = this.byItem.get(itemId)
    if (!key) return 0
    return this.aggregator.health(key, this.sender ? { except: this.sender.key } : undefined)
      .seeders
  }

  /** `seed.health`: checks the list, then each item's health in order. */
  healthOf(infoHashes: unknown): RpcResult<'seed.health'> {
    if (!Array.isArray(infoHashes) || infoHashes.length > MAX_HEALTH_QUERY)
      throw new InvalidInputError(`infoHashes: expected a list of at most ${MAX_HEALTH_QUERY}.`, {
        details: Array.isArray(infoHashes) ? `${infoHashes.length} items` : typeof infoHashes,
      })
    return infoHashes.map((h, i) => {
      if (typeof h !== 'string' || !HEX40.test(h.toLowerCase()))
        throw new InvalidInputError(`infoHashes[${i}]: expected 40 hex digits.`, {
          details: String(h).slice(0, 80),
        })
      return this.health(h)
    })
  }
}
