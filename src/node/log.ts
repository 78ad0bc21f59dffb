/**
 * Namespaced debug logging for node components, off by default. Turn it on from the console
 * with `localStorage.debug = 'hashcard:*'` (read by the page and passed to the worker).
 */
import { enable as enableLibp2pLogs } from '@libp2p/logger'

let patterns: RegExp[] = []

export function enableLogging(spec: string | null | undefined): void {
  // libp2p's own namespaces (`libp2p:*`) go to its logger; a worker has no localStorage for
  // it to read them from.
  const libp2p = (spec ?? '').split(',').filter((s) => s.trim().startsWith('libp2p'))
  if (libp2p.length > 0) enableLibp2pLogs(libp2p.join(','))
  patterns = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => new RegExp(`^${s.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`))
}

export type Logger = {
  (msg: string, ...args: unknown[]): void
  warn(msg: string, ...args: unknown[]): void
  error(msg: string, ...args: unknown[]): void
  /** Whether debug messages of this namespace are on (to skip gathering what only they show). */
  enabled(): boolean
}

export function logger(name: string): Logger {
  const ns = `hashcard:${name}`
  const enabled = () => patterns.some((p) => p.test(ns))
  const log = ((msg: string, ...args: unknown[]) => {
    if (enabled()) console.debug(...format(`${ns} ${msg}`, args))
  }) as Logger
  log.enabled = enabled
  log.warn = (msg, ...args) => console.warn(...format(`${ns} ${msg}`, args))
  log.error = (msg, ...args) => console.error(...format(`${ns} ${msg}`, args))
  return log
}

/**
 * Fills `%s` and `%d` here rather than leaving them to the console, since not every reader of
 * a worker's console does (Playwright's message text does not). Extra arguments follow.
 */
export function format(msg: string, args: unknown[]): unknown[] {
  let used = 0
  const text = msg.replace(/%[sd]/g, (m) => (used < args.length ? String(args[used++]) : m))
  return [text, ...args.slice(used)]
}
