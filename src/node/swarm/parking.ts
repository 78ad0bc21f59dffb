/**
 * The swarm's side of "seed what I watch" (seedPolicy.ts; semantics in
 * src/node/seed/settings.ts): the fetched items taken out of the swarm after playback, when
 * each item entered the swarm, and the torrents on their way out of the client.
 *
 * Taking an item out — parked by the policy or removed by eviction — is one path
 * ({@link Parking.takeOut}): its torrent leaves the client and its peers see the wire end;
 * until that is done, nothing adds the same torrent again or deletes the item's slices.
 */
import { logger } from '../log.ts'
import { type Active, destroyTorrent } from './activate.ts'
import type { TorrentRecord } from './records.ts'
import { itemsToPark, itemsToResume, SEED_EVERYTHING, type SeedPolicy } from './seedPolicy.ts'

const log = logger('swarm:parking')

/** What parking needs of the swarm service. */
export type ParkingHost = {
  /** The items in the swarm, by item id (the service's map: parking deletes from it). */
  active: Map<string, Active>
  /** Adds an item's torrent to the swarm again. */
  activate(rec: TorrentRecord): Promise<void>
  /** Items being played now (uses.ts). */
  playing(): ReadonlySet<string>
  now(): number
}

export class Parking {
  private policy: SeedPolicy = SEED_EVERYTHING
  private unfollow: (() => void) | null = null
  /** Fetched items the policy took out of the swarm, by item id. */
  private readonly parked = new Map<string, TorrentRecord>()
  /** When each item entered the swarm this session. */
  private readonly since = new Map<string, number>()
  /** Torrents leaving the client. */
  private readonly leaving = new Map<string, Promise<void>>()
  private applying: Promise<void> | null = null

  constructor(private readonly host: ParkingHost) {}

  /**
   * Follows a policy (the seed service's settings): applies it whenever it changes. A policy
   * that fails to load keeps seeding everything, as the swarm did before it.
   */
  async follow(source: (() => Promise<SeedPolicy>) | undefined): Promise<void> {
    this.policy = source
      ? await source().catch((err: Error) => {
          log.warn('seed policy unavailable (%s); seeding everything', err.message)
          return SEED_EVERYTHING
        })
      : SEED_EVERYTHING
    this.unfollow?.()
    this.unfollow = this.policy.onChange(() => void this.apply())
  }

  stop(): void {
    this.unfollow?.()
    this.unfollow = null
    this.parked.clear()
    this.since.clear()
  }

  /**
   * Whether a remembered item goes back into the swarm when the tab opens: a fetched item the
   * policy does not keep stays parked (nobody here is watching it yet).
   */
  resumes(rec: TorrentRecord): boolean {
    if (rec.origin === 'own' || this.policy.keeps(rec.itemId)) return true
    this.parked.set(rec.itemId, rec)
    return false
  }

  /** Waits until no torrent of the item is leaving; call before adding it to the client. */
  async settled(itemId: string): Promise<void> {
    await this.leaving.get(itemId)
  }

  /** The item is in the swarm from now. */
  entered(itemId: string): void {
    this.parked.delete(itemId)
    this.since.set(itemId, this.host.now())
  }

  /** A parked item's record, if it is parked. */
  parkedRecord(itemId: string): TorrentRecord | undefined {
    return this.parked.get(itemId)
  }

  /** Forgets a parked item (it is being deleted). */
  forget(itemId: string): void {
    this.parked.delete(itemId)
  }

  /** Takes an item's torrent out of the client; resolves once it is out. */
  async takeOut(itemId: string): Promise<void> {
    const a = this.host.active.get(itemId)
    if (a) {
      this.host.active.delete(itemId)
      this.since.delete(itemId)
      a.picker.stop()
      const out = destroyTorrent(a.torrent).finally(() => this.leaving.delete(itemId))
      this.leaving.set(itemId, out)
    }
    await this.leaving.get(itemId)
  }

  /** Brings a parked item back into the swarm (played again, pinned, or the setting on). */
  async unpark(itemId: string): Promise<void> {
    const rec = this.parked.get(itemId)
    if (!rec || this.host.active.has(itemId)) return
    await this.host.activate(rec)
  }

  /**
   * Parks the fetched items the policy does not keep once nobody here plays them, and resumes
   * parked items it keeps now. One run at a time; the service calls it on every stats tick.
   */
  apply(): Promise<void> {
    this.applying ??= this.applyOnce().finally(() => {
      this.applying = null
    })
    return this.applying
  }

  private async applyOnce(): Promise<void> {
    const keeps = (id: string) => this.policy.keeps(id)
    const items = [...this.host.active.values()].map((a) => ({
      itemId: a.rec.itemId,
      origin: a.rec.origin,
      since: this.since.get(a.rec.itemId) ?? 0,
    }))
    const now = this.host.now()
    for (const id of itemsToPark(items, { keeps, playing: this.host.playing(), now })) {
      const rec = this.host.active.get(id)?.rec
      if (!rec) continue
      log('parking %s: watched, and "seed what I watch" is off', id)
      this.parked.set(id, rec)
      await this.takeOut(id)
    }
    for (const id of itemsToResume(this.parked.keys(), keeps))
      await this.unpark(id).catch((err: Error) => log.warn('resume %s: %s', id, err.message))
  }
}
