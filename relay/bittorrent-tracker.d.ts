declare module 'bittorrent-tracker/server' {
  import { EventEmitter } from 'node:events'

  type ServerOptions = {
    udp?: boolean
    http?: boolean
    ws?: boolean | Record<string, unknown>
    stats?: boolean
    trustProxy?: boolean
    interval?: number
    filter?: (infoHash: string, params: unknown, cb: (err: Error | null) => void) => void
  }

  export default class Server extends EventEmitter {
    constructor(opts?: ServerOptions)
    ws: unknown
    listen(port: number, hostname?: string, onListening?: () => void): void
    close(cb?: (err?: Error | null) => void): void
  }
}
