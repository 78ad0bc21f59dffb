/**
 * One node per browser profile (DESIGN §1). The tab holding the Web Lock runs the node
 * worker; any other tab of the profile learns over a BroadcastChannel where the node runs,
 * says so instead of starting a rival, and queues for the lock so it takes over when that
 * tab closes.
 */
const LOCK = 'hashcard-node'
const CHANNEL = 'hashcard-node'

export type LeaderInfo = { url: string; title: string; since: number; peerId?: string | undefined }

type ChannelMessage = { type: 'who' } | { type: 'here'; info: LeaderInfo }

export type LeaderCallbacks = {
  /** Called once this tab holds the lock: start the node. */
  onLeader(): void
  /** Called when another tab runs the node (and again when it answers with details). */
  onFollower(info: LeaderInfo | null): void
  /** What this tab says about itself while it leads. */
  describe(): LeaderInfo
}

export function electLeader(cb: LeaderCallbacks): void {
  const channel = new BroadcastChannel(CHANNEL)
  let leading = false
  channel.onmessage = (e: MessageEvent<ChannelMessage>) => {
    if (e.data?.type === 'who' && leading)
      channel.postMessage({ type: 'here', info: cb.describe() })
    if (e.data?.type === 'here' && !leading) cb.onFollower(e.data.info)
  }
  const lead = async () => {
    leading = true
    cb.onLeader()
    // Hold the lock for the life of the tab.
    await new Promise<never>(() => {})
  }
  void navigator.locks.request(LOCK, { ifAvailable: true }, async (lock) => {
    if (lock) return lead()
    cb.onFollower(null)
    channel.postMessage({ type: 'who' })
    // Queue for the lock: when the leading tab closes, this one becomes the node.
    void navigator.locks.request(LOCK, lead)
  })
}
