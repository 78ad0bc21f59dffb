/**
 * Dev chains only: a payer that misbehaves on purpose, so the end-to-end tests can show what a
 * seeder does to a freeloader, a forger, a replayer and an underpayer (DESIGN §4.6). Set with
 * `pay.debug`; refused on any other chain. Each mode changes only what the line hands the wire
 * to send: the ledger and the caps see what an honest line would do, so the payer's own books
 * stay true while the seeder sees the fault.
 */

import { PayerLine, type PayerLineInit } from './spend.ts'
import type { PayCheque } from './wire.ts'

export type Misbehaviour = 'none' | 'silent' | 'forge' | 'replay' | 'underpay'
export const MISBEHAVIOURS: readonly Misbehaviour[] = [
  'none',
  'silent',
  'forge',
  'replay',
  'underpay',
]

/**
 * A payer line that cheats as `mode()` says at each slice:
 * - `silent`: sends nothing (a freeloader that said hello);
 * - `forge`: flips a bit of the signature;
 * - `replay`: sends the first cheque it signed again, every time;
 * - `underpay`: signs one wei above the last cumulative instead of a slice's price.
 */
export class MisbehavingLine extends PayerLine {
  #first: PayCheque | null = null
  readonly #mode: () => Misbehaviour
  readonly #sign: PayerLineInit['sign']

  constructor(init: PayerLineInit, mode: () => Misbehaviour) {
    super(init)
    this.#mode = mode
    this.#sign = init.sign
  }

  override async onSliceVerified(): Promise<PayCheque | null> {
    const mode = this.#mode()
    const before = this.signed
    const honest = await super.onSliceVerified()
    if (!honest) return honest
    this.#first ??= honest
    switch (mode) {
      case 'none':
        return honest
      case 'silent':
        return null
      case 'forge': {
        const signature = honest.signature.slice()
        signature[5] = (signature[5] as number) ^ 0x01
        return { ...honest, signature }
      }
      case 'replay':
        return this.#first
      case 'underpay':
        return { type: 'cheque', cumulative: before + 1n, signature: await this.#sign(before + 1n) }
    }
  }
}
