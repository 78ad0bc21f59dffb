/**
 * The node's one read-ahead policy (DESIGN §4.3). The Service Worker's credit (CHUNKS_AHEAD in
 * src/shared/protocol/content.ts) is flow control; how many slices are fetched and decrypted
 * ahead of the reader is decided here, and only here.
 */

/**
 * Slices a range stream fetches and decrypts ahead of the reader, beyond the one the reader
 * holds. Reading a slice is a few hops (to the swarm, to the I/O worker, to WebCrypto's SHA-256
 * and AES-GCM); with several in flight those overlap. Four is what `/c/` had before this
 * setting moved here (three ahead in the range reader plus one the port server kept pending).
 */
export const READ_AHEAD = 4
