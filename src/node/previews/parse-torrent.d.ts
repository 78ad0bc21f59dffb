// parse-torrent (webtorrent's own parser) ships no types; the preview tests cross-check our
// torrent files with it.
declare module 'parse-torrent' {
  export type ParsedTorrent = {
    infoHash: string
    name: string
    length: number
    pieceLength: number
    pieces: string[]
    files: { path: string; name: string; length: number; offset: number }[]
  }
  export default function parseTorrent(torrent: Uint8Array | string): Promise<ParsedTorrent>
}
