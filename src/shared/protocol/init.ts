/**
 * The init message: the first message the page (src/ui/lib/node.svelte.ts) posts to the node
 * worker (src/node/main.ts), once, with the config and the WebRTC bridge's port.
 *
 * The worker's one port also carries page↔node RPC (protocol/rpc.ts: `request`, `abort`) and
 * the Service Worker content-port handover (`hashcard:content-port`); every message there is
 * told apart by `type`, and {@link INIT} is distinct from their literals.
 */
import { type AppConfig, parseAppConfig } from '../config.ts'
import { InvalidInputError } from '../errors/common.ts'

export const INIT = 'init'

export type InitMessage = {
  type: typeof INIT
  config: AppConfig
  /** The `debug` namespaces to log (src/node/log.ts), or null for none. */
  debug?: string | null | undefined
  /** The page's WebRTC bridge (protocol/rtc.ts, src/ui/lib/rtc-host.ts), transferred. */
  rtc: MessagePort
}

/**
 * Reads a message that arrived on the node worker's port: null when it is not an init message
 * (another protocol's), the checked message when it is; InvalidInputError when it claims to be
 * one but a field is missing or malformed.
 * @example const init = parseInitMessage(e.data); if (init) start(init)
 */
export function parseInitMessage(data: unknown): InitMessage | null {
  if (typeof data !== 'object' || data === null) return null
  const msg = data as Record<string, unknown>
  if (msg.type !== INIT) return null
  const fail = (field: string, cause?: unknown): never => {
    throw new InvalidInputError('The init message is malformed.', { details: field, cause })
  }
  const debug = msg.debug
  if (debug !== undefined && debug !== null && typeof debug !== 'string') fail('debug')
  const rtc = msg.rtc as { postMessage?: unknown } | null | undefined
  if (typeof rtc?.postMessage !== 'function') fail('rtc')
  let config: AppConfig | undefined
  try {
    config = parseAppConfig(msg.config)
  } catch (err) {
    fail('config', err)
  }
  return {
    type: INIT,
    config: config as AppConfig,
    debug: debug as string | null | undefined,
    rtc: msg.rtc as MessagePort,
  }
}
