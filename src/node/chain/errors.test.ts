import { describe, expect, it } from 'vitest'
import {
  ContractRevertError,
  DuplicateCardError,
  WrongPaymentError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import { decodeChainError } from './errors.ts'

registerAllErrors()

describe('chain errors', () => {
  it('survive postMessage as the same class', () => {
    const err = new WrongPaymentError('The payment must be exactly 5 wei (sent 4).', {
      details: 'WrongPayment(5, 4)',
    })
    const back = deserializeError(structuredClone(serializeError(err)))
    expect(back).toBeInstanceOf(WrongPaymentError)
    expect(back.name).toBe('WrongPaymentError')
    expect(back.shortMessage).toBe(err.shortMessage)
    expect(back.details).toBe('WrongPayment(5, 4)')
    expect(deserializeError(serializeError(new ContractRevertError('x')))).toBeInstanceOf(
      ContractRevertError,
    )
  })

  it('leave errors of the family alone and map aborts', () => {
    const dup = new DuplicateCardError('dup')
    expect(decodeChainError(dup)).toBe(dup)
    const abort = new Error('stop')
    abort.name = 'AbortError'
    expect(decodeChainError(abort)).toBeInstanceOf(AbortedError)
    expect(decodeChainError('boom')).toMatchObject({
      name: 'ChainRequestError',
      shortMessage: 'boom',
    })
  })
})
