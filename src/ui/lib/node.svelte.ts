import type { AppConfig } from '../../shared/config.ts'
import { parseAppConfig } from '../../shared/config.ts'
import { CONTENT_PORT, type ContentPortOffer } from '../../shared/protocol/content.ts'
import { INIT, type InitMessage } from '../../shared/protocol/init.ts'
import type { GossipMessage, NodeStatus } from '../../shared/protocol/methods/node.ts'
import type { RpcResult } from '../../shared/protocol/rpc.ts'
import { serveContentPorts } from '../swarm/contentPort.ts'
import { injectedProvider, reattachExternalWallet } from '../wallet/external.ts'
import { electLeader, type LeaderInfo } from './leader.ts'
import { RpcClient } from './rpc-client.ts'
import { hostRtcBridge } from './rtc-host.ts'

export type IdentityState = RpcResult<'identity.state'>

export type Role = 'starting' | 'leader' | 'follower'

/**
 * The UI's view of the node: which tab runs it, its status (peer id, relay, peers), whether
 * the browser is online, and recent gossip. One instance for the app.
 */
export class NodeState {
  role = $state<Role>('starting')
  status = $state<NodeStatus | null>(null)
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine)
  /** Loaded from the Service Worker cache while offline. */
  configFromCache = $state(false)
  error = $state<string | null>(null)
  leader = $state<LeaderInfo | null>(null)
  gossip = $state<GossipMessage[]>([])
  /** This profile's identity, once the node has said (null: none yet). */
  identity = $state<IdentityState | undefined>(undefined)
  rpc = $state.raw<RpcClient | null>(null)
  private worker: Worker | null = null

  /** ms since page load when the first direct WebRTC peer appeared (startup benchmark). */
  firstDirectPeerAt = $state<number | null>(null)

  directPeers = $derived(this.status?.peers.filter((p) => p.direct) ?? [])

  start(): void {
    addEventListener('online', () => {
      this.online = true
    })
    addEventListener('offline', () => {
      this.online = false
    })
    electLeader({
      onLeader: () => {
        this.role = 'leader'
        this.leader = null
        this.boot().catch((err: Error) => {
          this.error = err.message
        })
      },
      onFollower: (info) => {
        this.role = 'follower'
        if (info) this.leader = info
      },
      describe: () => ({
        url: location.href,
        title: document.title,
        since: performance.timeOrigin,
        peerId: this.status?.peerId,
      }),
    })
  }

  private async boot(): Promise<void> {
    // The worker's script (the largest file) loads while the config is fetched: the node
    // answers sooner, and the feed paints sooner (issue #18).
    const worker = new Worker(new URL('../../node/main.ts', import.meta.url), {
      type: 'module',
      name: 'hashcard-node',
    })
    let config: AppConfig
    try {
      config = await this.loadConfig()
    } catch (err) {
      worker.terminate()
      throw err
    }
    const rpc = new RpcClient(worker)
    this.worker = worker
    serveContentPorts(worker)
    this.rpc = rpc
    rpc.onEvent((event) => {
      if (event.kind === 'status') {
        this.status = event.status
        if (this.firstDirectPeerAt === null && event.status.peers.some((p) => p.direct))
          this.firstDirectPeerAt = performance.now()
      } else if (event.kind === 'gossip') this.gossip = [event.message, ...this.gossip].slice(0, 50)
      else if (event.kind === 'log' && event.level === 'error') this.error = event.message
    })
    worker.addEventListener('error', (e) => {
      this.error = `The node worker failed: ${e.message}`
    })
    const rtc = hostRtcBridge()
    const init: InitMessage = { type: INIT, config, debug: localStorage.getItem('debug'), rtc }
    worker.postMessage(init, [rtc])
    await this.refreshIdentity()
    this.status = await rpc.call('node.status', undefined)
  }

  /**
   * A port to the node for a packaged site's Service Worker (src/sw/site/sw.ts): the node
   * serves only that card on it. Null when the node does not run in this tab.
   */
  sitePort(cardId: string): MessagePort | null {
    if (!this.worker) return null
    const { port1, port2 } = new MessageChannel()
    this.worker.postMessage(
      { type: CONTENT_PORT, port: port1, scope: cardId } satisfies ContentPortOffer,
      [port1],
    )
    return port2
  }

  async refreshIdentity(): Promise<void> {
    const rpc = this.rpc
    if (!rpc) return
    this.identity = await rpc.call('identity.state', undefined)
    // A browser wallet chosen before the reload: answer its requests again, unprompted.
    if (this.identity.state === 'ready')
      void reattachExternalWallet(rpc, injectedProvider()).catch(() => {})
  }

  private async loadConfig(): Promise<AppConfig> {
    const res = await fetch('/config.json', { cache: 'no-store' })
    if (!res.ok) throw new Error(`Could not load /config.json (HTTP ${res.status}).`)
    this.configFromCache = res.headers.get('x-hashcard-offline') === '1'
    return parseAppConfig(await res.json())
  }
}
