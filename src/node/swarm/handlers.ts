/**
 * RPC handlers of the swarm section of the RPC table (`src/shared/protocol/methods/`), and the
 * worker's one swarm service. main.ts calls {@link startSwarm} with the config, registers {@link
 * swarmHandlers} and passes content ports from the page to {@link attachContentPort}. Requests that
 * arrive before the start wait for it.
 */
import type { AppConfig } from '../../shared/config.ts'
import { SwarmItemNotFoundError } from '../../shared/errors/swarm.ts'
import type { NodeEvent, RpcMethods, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { identityService } from '../crypto/handlers.ts'
import { keys } from '../keys/instance.ts'
import { defaultStore } from '../store/handlers.ts'
import { CardItems, withCards } from './cards.ts'
import { serveContentPort } from './contentServer.ts'
import { openRecords, type RecordDb } from './records.ts'
import { SwarmService } from './service.ts'

type SwarmMethod = Extract<keyof RpcMethods, `swarm.${string}`>
type Handler<M extends SwarmMethod> = (
  params: RpcParams<M>,
  ctx: { signal: AbortSignal },
) => Promise<RpcResult<M>>
export type SwarmHandlers = { [M in SwarmMethod]: Handler<M> }

/** Which item holds which card (`swarm.add` with a `cardId`), for `/c/<cardId>`. */
export const cardItems = new CardItems()

/** Handlers over a swarm service (tests pass their own). */
export function createSwarmHandlers(
  swarm: () => Promise<SwarmService>,
  cards: CardItems = cardItems,
): SwarmHandlers {
  return {
    'swarm.seed': async (p, { signal }) =>
      (await swarm()).seed(p.itemId, { free: p.free ?? false, signal }),
    'swarm.add': async (p) => {
      const info = await (await swarm()).add(p)
      if (p.cardId !== undefined) await cards.set(p.cardId, info.itemId)
      return info
    },
    'swarm.items': async () => (await swarm()).list(),
    'swarm.status': async (p) => (await swarm()).stats(p.id),
    'swarm.playhead': async (p) => {
      const s = await swarm()
      const itemId = await s.resolve(p.id)
      if (!itemId) throw new SwarmItemNotFoundError(`The swarm has no item ${p.id}.`)
      s.setPlayhead(itemId, p.time, p.duration)
      return undefined
    },
    'swarm.debug': async (p) => {
      ;(await swarm()).debug(p)
      return undefined
    },
  }
}

let resolveSwarm: (s: SwarmService) => void = () => {}
const ready = new Promise<SwarmService>((resolve) => {
  resolveSwarm = resolve
})
let records: Promise<RecordDb> | null = null

/** The worker's swarm service once started (for node-side callers such as the publish flow). */
export function swarmService(): Promise<SwarmService> {
  return ready
}

/** Creates and starts the worker's swarm service (once). */
export function startSwarm(config: AppConfig, emit: (e: NodeEvent) => void): SwarmService {
  const swarm = new SwarmService(
    {
      store: defaultStore,
      records: () => {
        records ??= openRecords()
        return records
      },
      identity: () => identityService.identity(),
      emit,
    },
    { announce: [config.relay.tracker], dev: config.dev },
  )
  resolveSwarm(swarm)
  void swarm.start()
  return swarm
}

/** Serves a Service Worker content port (handed over by the page). */
export function attachContentPort(port: MessagePort): void {
  void ready.then((swarm) =>
    serveContentPort(
      port,
      withCards(
        {
          store: () => swarm.readStore(),
          resolve: (id) => swarm.resolve(id),
          cipherFor: (id) => swarm.cipherFor(id),
          slice: (id, i, signal) => swarm.slice(id, i, signal),
          setPosition: (id, pos) => swarm.setPosition(id, pos),
        },
        // Paid cards: the key service's key (vault or creator's), asked on every open.
        { cards: cardItems, contentKey: (cardId) => keys.contentKey(cardId) },
      ),
    ),
  )
}

export const swarmHandlers: SwarmHandlers = createSwarmHandlers(() => ready)
