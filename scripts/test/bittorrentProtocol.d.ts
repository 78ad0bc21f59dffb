// bittorrent-protocol 5 (webtorrent's wire, a dependency of it), as unit tests drive it in
// Node: the package ships no types. Only what the tests call is declared.
declare module 'bittorrent-protocol' {
  export default class Wire {
    constructor(type?: string, peEnabled?: number)
    peerId: string | null
    destroyed: boolean
    amChoking: boolean
    peerChoking: boolean
    uploaded: number
    handshake(
      infoHash: string,
      peerId: string,
      extensions?: { dht?: boolean; fast?: boolean },
    ): void
    haveAll(): void
    interested(): void
    choke(): void
    unchoke(): void
    request(
      index: number,
      offset: number,
      length: number,
      cb: (err: Error | null, chunk?: Uint8Array) => void,
    ): void
    extended(ext: string, buf: Uint8Array): void
    destroy(): void
    pipe<T>(dest: T): T
    on(ev: string, fn: (...args: never[]) => void): this
    once(ev: string, fn: (...args: never[]) => void): this
  }
}

// BEP 9 and lt_donthave, as webtorrent puts them on a wire (fuzz/targets/wire.ts).
declare module 'ut_metadata' {
  export default function utMetadata(metadata?: Uint8Array): new (wire: unknown) => object
}
declare module 'lt_donthave' {
  export default function ltDontHave(): new (wire: unknown) => object
}
