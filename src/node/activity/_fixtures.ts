/** Addresses, ids and cards for the activity tests. */
import type { Card } from '../../shared/card/card.ts'

type Hex = `0x${string}`

/** The address `n`, zero-padded. */
export const addr = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex
/** The 32-byte id `n` (a card id), zero-padded. */
export const id = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex
/** A transaction hash for block `n`. */
export const tx = (n: number) => `0x${n.toString(16).padStart(64, 'f')}` as Hex
/** Where a log sits: block `block`, its transaction `tx(block)`. */
export const pos = (block: number, logIndex = 0) => ({
  blockNumber: BigInt(block),
  logIndex,
  transactionHash: tx(block),
})

/** A short post replying to `parent` (none: a top-level post). */
export const reply = (parent?: Hex): Card => ({
  v: 1,
  kind: 'post',
  title: 'Re',
  tags: [],
  createdAt: 1,
  access: { free: true },
  ...(parent ? { parent } : {}),
})
