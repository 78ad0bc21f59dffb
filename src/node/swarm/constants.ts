/**
 * Defaults of the swarm service (DESIGN §1 swarm/, §4.3, §7). Every figure here is tunable
 * through {@link SwarmInit}; the comments say why each default is what it is.
 */

/** Request block size. Stock BitTorrent uses 16 KiB; at 7–9 MB/s per DataChannel, 64 KiB
 * blocks cut per-message overhead 4× and still stay under the 128 KiB a webtorrent seeder
 * accepts (PLATFORM.md: 256 KiB pieces ran at 3.6 MB/s with 16 KiB blocks). */
export const BLOCK_BYTES = 64 * 1024

/** Outstanding block requests per wire, at most: 4 MiB in flight keeps a DataChannel full at
 * the rates measured here (its send buffer holds 1 MiB, vite.config.ts), while a critical
 * request or a seek queues behind half a second of data rather than webtorrent's four. */
export const MAX_REQUESTS = 64

/** The deadline window ahead of the play head: at least this many seconds of media… */
export const WINDOW_SECONDS = 10
/** …and at least this many bytes (Chromium reads ahead ≈ 6 MB, PLATFORM.md). */
export const WINDOW_BYTES = 8 * 1024 * 1024

/** A request for a critical slice older than this is re-issued to another peer. */
export const DEADLINE_MS = 1_500
/** How often overdue critical requests are looked for. */
export const DEADLINE_TICK_MS = 250
/**
 * A wire with requests out that has sent no block for this long is stalled (a dead seeder's
 * browser, a frozen tab): all its requests go to other peers, and it is asked again only when
 * no other peer can serve. Without it, a dead wire held its slices until webtorrent's own wire
 * timeout, about 17 s (issue 20's drill).
 */
export const STALL_MS = 1_500

/** How often `swarm.stats` events are pushed to the page. */
export const STATS_INTERVAL_MS = 1_000

/** A seeder keeps the slices it read for peers, per torrent, up to 16 MiB, each until 2 s
 * pass without a request for it (readCache.ts). */
export const READ_CACHE = { maxBytes: 16 * 1024 * 1024, idleMs: 2_000 }

/** How long a Service Worker request waits for a slice before it fails. */
export const SLICE_WAIT_MS = 60_000

/** An unfinished item without peers asks the tracker again this often. */
export const REANNOUNCE_MS = 5_000
