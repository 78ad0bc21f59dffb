/**
 * EIP-712 cheques (DESIGN §2 "Cheque"): `Cheque(address payer,address payee,bytes32 cardId,
 * uint256 cumulative)` under the domain `{ name: "Hashcard Chequebook", version: "1", chainId,
 * verifyingContract: chequebook }`. Cumulative per (payer, payee, cardId): only the newest counts.
 */
import {
  type Address,
  type Hex,
  hashTypedData,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  size,
} from 'viem'
import { InvalidInputError } from '../../shared/errors/common.ts'
import type { ChainClients } from './clients.ts'

/** A cheque's fields. */
export type Cheque = {
  payer: Address
  payee: Address
  cardId: Hex
  /** Total wei promised so far on (payer, payee, cardId). */
  cumulative: bigint
}

/** Chain and contract a cheque is valid for. */
export type ChequeDomainParameters = { chainId: number; chequebook: Address }

/** The EIP-712 type of a cheque, as in contracts/Chequebook.sol. */
export const chequeTypes = {
  Cheque: [
    { name: 'payer', type: 'address' },
    { name: 'payee', type: 'address' },
    { name: 'cardId', type: 'bytes32' },
    { name: 'cumulative', type: 'uint256' },
  ],
} as const

/** The EIP-712 domain cheques are signed under. */
export function chequeDomain(p: ChequeDomainParameters) {
  return {
    name: 'Hashcard Chequebook',
    version: '1',
    chainId: p.chainId,
    verifyingContract: p.chequebook,
  } as const
}

/** Checks a cheque's shape (from a peer: DESIGN §6); throws `InvalidInputError`. */
export function assertCheque(cheque: Cheque): void {
  if (!isAddress(cheque.payer)) throw new InvalidInputError('Cheque payer is not an address.')
  if (!isAddress(cheque.payee)) throw new InvalidInputError('Cheque payee is not an address.')
  if (!isHex(cheque.cardId) || size(cheque.cardId) !== 32)
    throw new InvalidInputError('Cheque cardId must be 32 bytes.')
  if (
    typeof cheque.cumulative !== 'bigint' ||
    cheque.cumulative < 0n ||
    cheque.cumulative >= 2n ** 256n
  )
    throw new InvalidInputError('Cheque cumulative must be a uint256.')
}

/** The EIP-712 digest of a cheque. */
export function hashCheque(domain: ChequeDomainParameters, cheque: Cheque): Hex {
  assertCheque(cheque)
  return hashTypedData({
    domain: chequeDomain(domain),
    types: chequeTypes,
    primaryType: 'Cheque',
    message: cheque,
  })
}

/**
 * Signs a cheque with the context's account (which must be the cheque's payer).
 * @example const sig = await signCheque(ctx, { chequebook, cheque })
 */
export async function signCheque(
  ctx: Pick<ChainClients, 'walletClient' | 'account' | 'chain'>,
  params: { chequebook: Address; cheque: Cheque },
): Promise<Hex> {
  assertCheque(params.cheque)
  if (params.cheque.payer.toLowerCase() !== ctx.account.address.toLowerCase())
    throw new InvalidInputError('Only the payer can sign a cheque.')
  return ctx.walletClient.signTypedData({
    account: ctx.account,
    domain: chequeDomain({ chainId: ctx.chain.id, chequebook: params.chequebook }),
    types: chequeTypes,
    primaryType: 'Cheque',
    message: params.cheque,
  })
}

/**
 * Whether `signature` is the payer's signature of `cheque` (ECDSA; no chain access).
 * Malformed signatures verify as `false`.
 * @example if (!(await verifyCheque({ chainId, chequebook, cheque, signature }))) reject()
 */
export async function verifyCheque(
  params: ChequeDomainParameters & { cheque: Cheque; signature: Hex },
): Promise<boolean> {
  try {
    assertCheque(params.cheque)
    const signer = await recoverTypedDataAddress({
      domain: chequeDomain(params),
      types: chequeTypes,
      primaryType: 'Cheque',
      message: params.cheque,
      signature: params.signature,
    })
    return signer.toLowerCase() === params.cheque.payer.toLowerCase()
  } catch {
    return false
  }
}
