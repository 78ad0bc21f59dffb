import { type Address, isAddress } from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import { type WriteOptions, type WriteResult, writeAndWait } from './_write.ts'
import { chequebookAbi } from './abi.ts'
import type { ChainContext } from './clients.ts'

export type DepositForChequebookParameters = WriteOptions & {
  /** The book to fund: typically the node's hot key, funded from another wallet. */
  payer: Address
  value: bigint
}

/**
 * Adds ether to `payer`'s chequebook from the caller's account (DESIGN §4.6: any wallet,
 * the external EIP-1193 one included, can fund the node's paying account). Only the payer
 * can withdraw it again, after the announced delay.
 * @example await depositForChequebook(externalWallet, { payer: node.address, value: parseEther('0.1') })
 */
export async function depositForChequebook(
  ctx: ChainContext,
  params: DepositForChequebookParameters,
): Promise<WriteResult> {
  if (!isAddress(params.payer)) throw new InvalidInputError('The payer is not an address.')
  if (params.value <= 0n) throw new InvalidInputError('A deposit must be above zero.')
  return writeAndWait(
    ctx,
    {
      address: ctx.contracts.chequebook,
      abi: chequebookAbi,
      functionName: 'depositFor',
      args: [params.payer],
      value: params.value,
    },
    params,
  )
}
