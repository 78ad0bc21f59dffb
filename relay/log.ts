/**
 * Namespaced logging for the relay, off by default for debug lines (`DEBUG=relay:*`), always
 * on for warnings: a dropped bad input is logged, never thrown.
 */
const enabled = (process.env.DEBUG ?? '').split(',').some((p) => p === '*' || p.startsWith('relay'))

export type Logger = {
  (msg: string, ...args: unknown[]): void
  warn(msg: string, ...args: unknown[]): void
}

export function logger(name: string): Logger {
  const log = ((msg: string, ...args: unknown[]) => {
    if (enabled) console.error(`relay:${name} ${msg}`, ...args)
  }) as Logger
  log.warn = (msg, ...args) => console.error(`relay:${name} warn: ${msg}`, ...args)
  return log
}
