/**
 * Gossip envelopes (src/node/feed/gossip.ts): JSON on `hashcard/cards/v1` and `hashcard/views/v1`
 * from any peer, checked for size, shape, card codec and the EIP-712 signature. The inputs start
 * from messages really signed (so the accepting path runs), with fields swapped for values of
 * the wrong type, then mutated as bytes.
 */
import fc from 'fast-check'
import { type Address, type Hex, zeroAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  signCardGossip,
  signViewGossip,
  verifyCardGossip,
  verifyViewGossip,
} from '../../src/node/feed/gossip.ts'
import { cardArb } from '../../src/shared/card/_arbitrary.ts'
import { encodeCard } from '../../src/shared/card/card.ts'
import { CardCodecError } from '../../src/shared/errors/card.ts'
import { type FuzzTarget, textForm } from '../harness.ts'
import { fuzzText } from '../mutate.ts'

const domain = {
  name: 'Hashcard',
  version: '1',
  chainId: 31337,
  verifyingContract: zeroAddress as Address,
} as const
const account = privateKeyToAccount(`0x${'11'.repeat(32)}`)

/** JSON values put in place of a field. */
const oddValue = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, 2 ** 53, '', '0x', '0x0', [], {}, '__proto__'),
  fc.string({ maxLength: 10 }),
  fc.integer(),
  fc.uint8Array({ maxLength: 70 }).map((b) => `0x${Buffer.from(b).toString('hex')}`),
)

/** A message from `pool`, maybe with one field replaced or removed, or an unsigned variant. */
function envelopes(pool: string[], fields: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(...pool),
      fc.option(fc.tuple(fc.constantFrom(...fields, 'extra'), fc.option(oddValue))),
    )
    .map(([text, edit]) => {
      if (!edit) return text
      const m = JSON.parse(text) as Record<string, unknown>
      const [field, value] = edit
      if (value === null) delete m[field]
      else m[field] = value
      return JSON.stringify(m)
    })
}

/** Signs a pool of card and view messages (signing is async; arbitraries are not). */
export async function gossipTargets(
  poolSize = 12,
): Promise<[FuzzTarget<string>, FuzzTarget<string>]> {
  const cards = fc.sample(cardArb, { numRuns: poolSize, seed: 20 })
  const cardPool = await Promise.all(
    cards.map((c) => signCardGossip(account, domain, encodeCard(c))),
  )
  // An honest-looking card with a random signature: the recovery path with a mismatch.
  cardPool.push(
    JSON.stringify({
      v: 1,
      card: JSON.parse(cardPool[0] as string).card,
      creator: account.address,
      sig: `0x${'ab'.repeat(65)}`,
    }),
  )
  const ids = fc.sample(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
    numRuns: poolSize,
    seed: 21,
  })
  const viewPool = await Promise.all(
    ids.map((b, i) =>
      signViewGossip(
        account,
        domain,
        `0x${Buffer.from(b).toString('hex')}` as Hex,
        1_700_000_000 + i,
      ),
    ),
  )
  const card: FuzzTarget<string> = {
    name: 'gossip-card',
    input: fuzzText(envelopes(cardPool, ['v', 'card', 'creator', 'sig']), 300),
    parse: (data) => verifyCardGossip(domain, data),
    async: true,
    errors: [CardCodecError],
    ...textForm,
  }
  const view: FuzzTarget<string> = {
    name: 'gossip-view',
    input: fuzzText(envelopes(viewPool, ['v', 'cardId', 'viewer', 'at', 'sig']), 300),
    parse: (data) => verifyViewGossip(domain, data),
    async: true,
    errors: [CardCodecError],
    ...textForm,
  }
  return [card, view]
}
