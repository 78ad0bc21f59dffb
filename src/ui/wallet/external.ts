/**
 * The page's end of the external-wallet path (src/node/keys/external.ts): connects an
 * injected EIP-1193 provider (`window.ethereum`), has it sign the fixed message the wrap key
 * derives from, hands address and signature to the node, and from then on answers the node's
 * `keys.walletRequest` events by forwarding them to the provider (`wallet.reply`). The node
 * remembers the choice; after a reload the page attaches the same wallet again unprompted.
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

/** Answers the node's `keys.walletRequest` events with `provider` from now on. */
function forward(rpc: RpcClient, provider: Eip1193): void {
  detach?.()
  detach = rpc.onEvent((e) => {
    if (e.kind !== 'keys.walletRequest') return
    provider.request({ method: e.method, params: e.params }).then(
      (result) => rpc.call('wallet.reply', { id: e.id, result }),
      (err: unknown) =>
        rpc.call('wallet.reply', {
          id: e.id,
          error: err instanceof Error ? err.message : String(err),
          ...(typeof (err as { code?: unknown })?.code === 'number'
            ? { code: (err as { code: number }).code }
            : {}),
        }),
    )
  })
}

/**
 * Connects `provider` as this node's on-chain account; the node remembers the choice.
 * Returns the wallet's address.
 * @example await connectExternalWallet(node.rpc, injectedProvider()!)
 */
export async function connectExternalWallet(
  rpc: RpcClient,
  provider: Eip1193,
): Promise<`0x${string}`> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  const address = accounts[0] as `0x${string}` | undefined
  if (!address) throw new Error('The wallet shared no account.')
  forward(rpc, provider)
  const signature = (await provider.request({
    method: 'personal_sign',
    params: [toHex(EXTERNAL_WRAP_MESSAGE), address],
  })) as `0x${string}`
  await rpc.call('wallet.useExternal', { address, signature })
  return address
}

/**
 * After a reload, when the node restored a wallet choice: finds that wallet in `provider` and
 * answers its requests again, with no signature (the node kept the wrap key). `ask`: may
 * prompt (`eth_requestAccounts`, from a click); otherwise only a wallet that already shares
 * the account (`eth_accounts`) is attached. Returns whether the wallet is attached now.
 * @example await reattachExternalWallet(node.rpc, injectedProvider())
 */
export async function reattachExternalWallet(
  rpc: RpcClient,
  provider: Eip1193 | null,
  ask = false,
): Promise<boolean> {
  const state = await rpc.call('wallet.state', undefined)
  if (!state?.external) return false
  if (state.attached) return true
  if (!provider) return false
  const method = ask ? 'eth_requestAccounts' : 'eth_accounts'
  const accounts = (await provider.request({ method })) as string[]
  if (!accounts.some((a) => a.toLowerCase() === state.address.toLowerCase())) {
    if (ask)
      throw new Error(`The wallet does not share ${state.address}, the account this node uses.`)
    return false
  }
  forward(rpc, provider)
  await rpc.call('wallet.attach', { address: state.address })
  return true
}

/** Back to the embedded account. */
export async function disconnectExternalWallet(rpc: RpcClient): Promise<void> {
  detach?.()
  detach = null
  await rpc.call('wallet.useEmbedded', undefined)
}
