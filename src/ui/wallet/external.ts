/**
 * The page's end of the external-wallet path (src/node/keys/external.ts): connects an
 * injected EIP-1193 provider (`window.ethereum`), has it sign the fixed message the wrap key
 * derives from, hands address and signature to the node, and from then on answers the node's
 * `keys.walletRequest` events by forwarding them to the provider (`wallet.reply`).
 */
import { toHex } from 'viem'
import type { RpcClient } from '../lib/rpc-client.ts'

/** The fixed message (same text as `EXTERNAL_WRAP_MESSAGE` in the worker). */
export const EXTERNAL_WRAP_MESSAGE =
  'Hashcard v1: derive my key-wrapping key.\n\nSigning this costs nothing and sends nothing.'

/** The part of EIP-1193 this uses. */
export type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }

/** The injected provider, if the browser has one. */
export function injectedProvider(): Eip1193 | null {
  const eth = (globalThis as { ethereum?: Eip1193 }).ethereum
  return eth && typeof eth.request === 'function' ? eth : null
}

let detach: (() => void) | null = null

/**
 * Connects `provider` as this node's on-chain account. Returns the wallet's address.
 * @example await connectExternalWallet(node.rpc, injectedProvider()!)
 */
export async function connectExternalWallet(
  rpc: RpcClient,
  provider: Eip1193,
): Promise<`0x${string}`> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  const address = accounts[0] as `0x${string}` | undefined
  if (!address) throw new Error('The wallet shared no account.')
  detach?.()
  detach = rpc.onEvent((e) => {
    if (e.kind !== 'keys.walletRequest') return
    provider.request({ method: e.method, params: e.params }).then(
      (result) => rpc.call('wallet.reply', { id: e.id, result }),
      (err: unknown) =>
        rpc.call('wallet.reply', {
          id: e.id,
          error: err instanceof Error ? err.message : String(err),
        }),
    )
  })
  const signature = (await provider.request({
    method: 'personal_sign',
    params: [toHex(EXTERNAL_WRAP_MESSAGE), address],
  })) as `0x${string}`
  await rpc.call('wallet.useExternal', { address, signature })
  return address
}

/** Back to the embedded account. */
export async function disconnectExternalWallet(rpc: RpcClient): Promise<void> {
  detach?.()
  detach = null
  await rpc.call('wallet.useEmbedded', undefined)
}
