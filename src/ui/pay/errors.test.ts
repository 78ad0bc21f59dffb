import { describe, expect, it } from 'vitest'
import {
  ChainRequestError,
  ChainUnreachableError,
  InsufficientFundsError,
  NonceError,
  NothingToCashError,
  NothingToClaimError,
  UserRejectedError,
  WithdrawLockedError,
} from '../../shared/errors/chain.ts'
import { AbortedError } from '../../shared/errors/common.ts'
import { registerAllErrors } from '../../shared/errors/registry.ts'
import { deserializeError, serializeError } from '../../shared/errors/wire.ts'
import { describeError } from './errors.ts'

/** As the page sees a node error: serialized in the worker, rebuilt from the registry. */
const across = (err: Error) => deserializeError(serializeError(err))

describe('describeError', () => {
  registerAllErrors()

  it('reads "nothing to do" as information, by class after crossing the wire', () => {
    expect(
      describeError(across(new NothingToClaimError('Nothing is owed to this account.'))),
    ).toEqual({
      tone: 'info',
      text: 'Nothing to claim yet.',
    })
    expect(describeError(across(new NothingToCashError('x')))?.tone).toBe('info')
    expect(describeError(across(new UserRejectedError('x')))).toEqual({
      tone: 'info',
      text: 'Cancelled: nothing was sent.',
    })
  })

  it('says missing funds in one sentence, with the faucet as the next step where there is one', () => {
    const raw = new InsufficientFundsError('The account cannot pay the amount and the gas.', {
      details:
        'The total cost (gas * gas fee + value) of executing this transaction exceeds the balance',
    })
    expect(describeError(across(raw), { faucet: true })).toEqual({
      tone: 'error',
      text: 'You need test ETH to do this.',
      next: 'faucet',
    })
    const real = describeError(across(raw), { faucet: false })
    expect(real).toMatchObject({ tone: 'error', text: expect.stringContaining('more ETH') })
    expect(real?.next).toBeUndefined()
    expect(real?.text).not.toContain('gas *')
  })

  it('words the other failures of sending with what to do next', () => {
    expect(describeError(across(new NonceError('x')))?.text).toMatch(/went first: try again/)
    expect(describeError(across(new ChainUnreachableError('x')))?.text).toMatch(/connection/)
    const locked = describeError(across(new WithdrawLockedError('The withdrawal unlocks at 2030.')))
    expect(locked).toEqual({
      tone: 'error',
      text: 'The withdrawal unlocks at 2030. Withdraw once the countdown ends.',
    })
    const chain = describeError(new ChainRequestError('odd reply', { details: 'stack…' }))
    expect(chain?.text).toContain('odd reply')
    expect(chain?.text).not.toContain('stack')
  })

  it('says nothing of a cancelled call, and falls back to the message', () => {
    expect(describeError(new AbortedError())).toBeNull()
    expect(describeError(new Error('boom'))).toEqual({ tone: 'error', text: 'boom' })
  })

  it('does not match by name: a stranger with the same name is just an error', () => {
    const fake = new Error('Nothing is owed.')
    fake.name = 'NothingToClaimError'
    expect(describeError(fake)?.tone).toBe('error')
  })
})
