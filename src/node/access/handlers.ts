/**
 * The `keys.*` methods about who may decrypt what, served by access: `keys.registerCard`
 * (where a card's content is: its item or salt), `keys.access` (how this node may decrypt a
 * card) and `keys.decrypt` (one slice, for tests and tools; keys never leave the worker).
 */

import { NoContentKeyError } from '../../shared/errors/access.ts'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import { checkInt } from '../crypto/bytes.ts'
import { decryptSlice } from '../crypto/content.ts'
import { MAX_SLICE_SIZE } from '../crypto/layout.ts'
import { checkCardId } from './cardMap.ts'
import type { AccessService } from './service.ts'

type AccessMethod = 'keys.registerCard' | 'keys.access' | 'keys.decrypt'
export type AccessHandlers = {
  [M in AccessMethod]: (params: RpcParams<M>, ctx: { signal: AbortSignal }) => Promise<RpcResult<M>>
}

export type AccessHandlerDeps = {
  access: AccessService
  /** Throws when keys are unavailable (no chain or identity), as the keys methods do. */
  requireAccount(): Promise<unknown>
}

export function createAccessHandlers(d: AccessHandlerDeps): AccessHandlers {
  const { access } = d
  return {
    'keys.registerCard': async (p) => {
      await d.requireAccount()
      const cardId = checkCardId(p.cardId)
      if (p.contentSalt === undefined) {
        const itemId = String(p.itemId ?? '')
        if (!(await access.itemOf(itemId)))
          throw new InvalidInputError(`itemId: no stored item ${itemId}.`)
        await access.link({ cardId, itemId })
      } else await access.link({ cardId, contentSalt: p.contentSalt, itemId: p.itemId })
      return undefined
    },
    'keys.access': async (p, { signal }) => {
      await d.requireAccount()
      return access.accessOf(checkCardId(p.cardId), { signal })
    },
    'keys.decrypt': async (p, { signal }) => {
      await d.requireAccount()
      const cardId = checkCardId(p.cardId)
      checkInt('index', p.index, 0, Number.MAX_SAFE_INTEGER)
      if (!(p.ciphertext instanceof Uint8Array) || p.ciphertext.length > MAX_SLICE_SIZE)
        throw new InvalidInputError(`ciphertext: expected at most ${MAX_SLICE_SIZE} bytes.`)
      const cipher = await access.cipherFor(cardId, { signal })
      if (!cipher)
        throw new NoContentKeyError('This node holds no key for the card.', {
          details: (await access.saltOf(cardId))
            ? `card ${cardId}`
            : 'content salt unknown: call keys.registerCard',
        })
      return decryptSlice(cipher, p.index, p.last === true, p.ciphertext)
    },
  }
}
