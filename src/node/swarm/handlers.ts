/**
 * RPC handlers of the swarm section of the RPC table (`src/shared/protocol/methods/`) over one {@link SwarmService}. A
 * card's item is linked in access (src/node/access/) before the swarm fetches it, so the
 * node knows which card the item holds and a free card's key, and the swarm needs no keys.
 */
import { hexToBytes } from '@noble/hashes/utils.js'
import { SwarmItemNotFoundError } from '../../shared/errors/swarm.ts'
import type { SwarmAddParams } from '../../shared/protocol/methods/swarm.ts'
import type { RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { checkCardId, type Link } from '../access/cardMap.ts'
import { checkBytes } from '../crypto/bytes.ts'
import type { Registrar } from '../rpc/server.ts'
import { type SwarmComponents, type SwarmInit, SwarmService } from './service.ts'

type SwarmMethod = Extract<keyof RpcMethods, `swarm.${string}`>
type Handler<M extends SwarmMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type SwarmHandlers = { [M in SwarmMethod]: Handler<M> }

/** What the handlers need of access: where to record a card's item and a free key. */
export type SwarmAccess = { link(l: Link): Promise<void> }

/**
 * Adds a card's content to the swarm: links the card, its salt and a free card's key in
 * access, fetches (or keeps seeding) the item, and links the card to the item it lands in.
 */
export async function addToSwarm(swarm: SwarmService, access: SwarmAccess, p: SwarmAddParams) {
  const infoHash = p.content.infoHash.toLowerCase()
  const freeKey =
    p.access?.kind === 'free' ? checkBytes('access.key', hexToBytes(p.access.key), 32) : undefined
  // A new item from peers is named by its infoHash (SwarmService.add) and came from a peer.
  // Its card is linked before the torrent starts, so the torrent's wires carry `hc_pay` for it.
  if (/^[0-9a-f]{40}$/.test(infoHash))
    await access.link({
      itemId: infoHash,
      origin: 'peer',
      freeKey,
      ...(p.cardId === undefined
        ? {}
        : { cardId: checkCardId(p.cardId), contentSalt: p.content.contentSalt }),
    })
  const info = await swarm.add(p)
  if (p.cardId !== undefined)
    await access.link({
      cardId: checkCardId(p.cardId),
      itemId: info.itemId,
      contentSalt: p.content.contentSalt,
    })
  return info
}

/** Handlers over a swarm service (tests pass their own). */
export function createSwarmHandlers(swarm: SwarmService, access: SwarmAccess): SwarmHandlers {
  return {
    'swarm.seed': (p, { signal }) => swarm.seed(p.itemId, { free: p.free ?? false, signal }),
    'swarm.add': (p) => addToSwarm(swarm, access, p),
    'swarm.items': () => swarm.list(),
    'swarm.traffic': async () => {
      await swarm.start()
      return swarm.traffic()
    },
    'swarm.status': async (p) => swarm.stats(p.id),
    'swarm.playhead': async (p) => {
      const itemId = await swarm.resolve(p.id)
      if (!itemId) throw new SwarmItemNotFoundError(`The swarm has no item ${p.id}.`)
      swarm.setPlayhead(itemId, p.time, p.duration)
      return undefined
    },
    'swarm.debug': async (p) => {
      swarm.debug(p)
      return undefined
    },
  }
}

/** Factory in the libp2p style: `swarmService(init)(components)`; registers `swarm.*`. */
export function swarmService(init: SwarmInit) {
  return (c: SwarmComponents & { access: SwarmAccess; rpc?: Registrar }) => {
    const swarm = new SwarmService(c, init)
    c.rpc?.register(createSwarmHandlers(swarm, c.access))
    return swarm
  }
}
