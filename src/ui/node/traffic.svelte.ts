/**
 * The node's live traffic for the dashboard (DESIGN §4.7): `swarm.traffic` re-read every
 * second while the node page is open — the bytes moved this session and the upload and
 * download rates of the last minutes, which the node samples once a second.
 */
import type { SwarmTraffic } from '../../shared/protocol/methods/swarm.ts'
import { errorText } from '../lib/action.svelte.ts'
import type { Rpc } from '../lib/rpc-client.ts'

/** As often as the node samples its counters. */
export const TRAFFIC_REFRESH_MS = 1_000

export class TrafficModel {
  traffic = $state.raw<SwarmTraffic | null>(null)
  error = $state('')

  constructor(private readonly rpc: () => Rpc | null) {}

  /** Polls; returns the stop function (for `$effect`). */
  start(): () => void {
    void this.refresh()
    const poll = setInterval(() => void this.refresh(), TRAFFIC_REFRESH_MS)
    return () => clearInterval(poll)
  }

  async refresh(): Promise<void> {
    const rpc = this.rpc()
    if (!rpc) return
    try {
      this.traffic = await rpc.call('swarm.traffic', undefined)
      this.error = ''
    } catch (err) {
      this.error = errorText(err)
    }
  }
}
