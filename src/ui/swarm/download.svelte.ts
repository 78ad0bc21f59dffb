/**
 * A file saved through the Service Worker (issue #19, software cards): a hidden frame opens
 * `/c/<id>?download=<token>`, which the SW's content handler answers with
 * `Content-Disposition: attachment`, streamed from the node's range reader chunk by chunk,
 * so the file is never whole in any memory; the browser turns that navigation into a
 * download. Not `<a download>`: Chromium sends those requests past the Service Worker, to the
 * network (tried: the server got them, the SW never saw them). A frame, not the tab: a refusal
 * (403 without a key) is a page, and it lands in the hidden frame, not over the app.
 *
 * The browser's download manager reads the response, not the page, so progress comes from the
 * SW: it posts what it has sent on a BroadcastChannel of the app's origin
 * (src/shared/protocol/content.ts DOWNLOAD_CHANNEL), and this state follows the reports for
 * its token. While a download runs the page pings the SW now and then: a message event keeps
 * the browser from stopping an idle SW mid-stream.
 */
import {
  DOWNLOAD_CHANNEL,
  type DownloadProgress,
  KEEPALIVE,
} from '../../shared/protocol/content.ts'

/** How long the first report may take before the download is said not to have started. */
const START_WAIT_MS = 15_000
const KEEPALIVE_MS = 10_000

export type DownloadState = 'idle' | 'starting' | DownloadProgress['state']

/** What the page says about a refusal the SW reported. */
export function failureText(r: Pick<DownloadProgress, 'status' | 'message'>): string {
  if (r.status === 403) return 'You hold no key for this file: buy one to download it.'
  if (r.status === 503) return 'The node is not running: keep Hashcard open in a tab.'
  if (r.status === 404) return 'This file is not on this node or in its swarm.'
  return `The download failed: ${r.message ?? 'unknown error'}.`
}

/** Downloads this tab is following now (the update prompt waits for them: ui/pwa). */
export const runningDownloads = $state({ count: 0 })

export class Download {
  state = $state<DownloadState>('idle')
  sent = $state(0)
  size = $state(0)
  error = $state<string | null>(null)
  private stopListening = () => {}

  /** `id` is a card id, item id or infoHash, as `/c/` takes it. */
  constructor(readonly id: string) {}

  /** Starts a download and follows it; a later start follows the newer download only. */
  start(): void {
    this.stopListening()
    // The token names this download in the SW's reports.
    const token = crypto.randomUUID()
    this.state = 'starting'
    this.sent = 0
    this.size = 0
    this.error = null
    const channel = new BroadcastChannel(DOWNLOAD_CHANNEL)
    const ping = setInterval(
      () => navigator.serviceWorker?.controller?.postMessage({ type: KEEPALIVE }),
      KEEPALIVE_MS,
    )
    const slow = setTimeout(() => {
      if (this.state !== 'starting') return
      this.state = 'failed'
      this.error = 'The download did not start: reload the page and try again.'
      this.stopListening()
    }, START_WAIT_MS)
    const frame = document.createElement('iframe')
    frame.hidden = true
    frame.title = 'Download'
    runningDownloads.count++
    this.stopListening = () => {
      runningDownloads.count--
      clearInterval(ping)
      clearTimeout(slow)
      channel.close()
      // The download manager owns the response by now; the frame holds at most an error page.
      frame.remove()
      this.stopListening = () => {}
    }
    channel.onmessage = (e: MessageEvent<DownloadProgress>) => {
      const r = e.data
      if (r?.type !== 'download' || r.token !== token) return
      this.state = r.state
      this.sent = r.sent
      this.size = r.size
      if (r.state === 'failed') this.error = failureText(r)
      if (r.state !== 'sending') this.stopListening()
    }
    frame.src = `/c/${encodeURIComponent(this.id)}?download=${token}`
    document.body.append(frame)
  }

  /** Stops following (the download itself goes on in the browser). */
  stop(): void {
    this.stopListening()
  }
}
