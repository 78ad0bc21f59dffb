import { describe, expect, it } from 'vitest'
import {
  ChainRequestError,
  NothingToCashError,
  NothingToClaimError,
  WithdrawLockedError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import { describePayError } from './errors.ts'

/** As the page sees a node error: serialized in the worker, rebuilt from the registry. */
const across = (err: Error) => deserializeError(serializeError(err))

describe('describePayError', () => {
  registerAllErrors()

  it('reads "nothing to do" as information, by class after crossing the wire', () => {
    expect(
      describePayError(across(new NothingToClaimError('Nothing is owed to this account.'))),
    ).toEqual({
      tone: 'info',
      text: 'Nothing to claim yet.',
    })
    expect(describePayError(across(new NothingToCashError('x')))?.tone).toBe('info')
  })

  it('keeps the short message and adds the next step', () => {
    const locked = describePayError(
      across(new WithdrawLockedError('The withdrawal unlocks at 2030.')),
    )
    expect(locked).toEqual({
      tone: 'error',
      text: 'The withdrawal unlocks at 2030. Withdraw once the countdown ends.',
    })
    const chain = describePayError(
      new ChainRequestError('insufficient funds', { details: 'stack…' }),
    )
    expect(chain?.text).toContain('insufficient funds')
    expect(chain?.text).not.toContain('stack')
  })

  it('says nothing of a cancelled call, and falls back to the message', () => {
    expect(describePayError(new AbortedError())).toBeNull()
    expect(describePayError(new Error('boom'))).toEqual({ tone: 'error', text: 'boom' })
  })

  it('does not match by name: a stranger with the same name is just an error', () => {
    const fake = new Error('Nothing is owed.')
    fake.name = 'NothingToClaimError'
    expect(describePayError(fake)?.tone).toBe('error')
  })
})
