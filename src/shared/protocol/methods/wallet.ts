/**
 * Page↔node RPC methods of the wallet (src/node/keys/wallet.ts), declared in the table of
 * src/shared/protocol/rpc.ts; spoken by the page and the node worker.
 */

export type WalletState = {
  address: `0x${string}`
  chainId: number
  balance: string
  /** The KeyMarket's `owed` for this account. */
  owed: string
  /** The relay's faucet is available (chain 31337). */
  faucet: boolean
  /** The KeyMarket's refund delay in seconds (DELIVERY_TIMEOUT). */
  refundDelay: number
  /** On-chain actions go through the page's EIP-1193 wallet (remembered across reloads). */
  external: boolean
  /** The page answers that wallet's requests (false after a reload, until it found it again). */
  attached: boolean
}

export type WalletMethods = {
  /** The account, its balance and what the KeyMarket owes it; null without a chain. */
  'wallet.state': { params: undefined; result: WalletState | null }
  /**
   * Uses the page's EIP-1193 wallet for on-chain actions: `signature` is its `personal_sign` of
   * the fixed message `EXTERNAL_WRAP_MESSAGE` (src/node/keys/external.ts), which also derives
   * the wrap key. The worker then sends `keys.walletRequest` events the page answers.
   */
  'wallet.useExternal': {
    params: { address: `0x${string}`; signature: `0x${string}` }
    result: { wrapPublic: `0x${string}` }
  }
  /**
   * After a reload: the page found the remembered wallet `address` (`eth_accounts`, no
   * signature) and answers its requests again. ExternalWalletError for another address.
   */
  'wallet.attach': { params: { address: `0x${string}` }; result: undefined }
  /** Back to the identity's embedded account; forgets the wallet choice. */
  'wallet.useEmbedded': { params: undefined; result: undefined }
  /**
   * The page's answer to a `keys.walletRequest` (`error`: the wallet's message; `code`: its
   * EIP-1193 error code, 4001 when the person declined).
   */
  'wallet.reply': {
    params: { id: number; result?: unknown; error?: string; code?: number }
    result: undefined
  }
  /** Takes everything the KeyMarket owes this account (`claim()`). */
  'wallet.claim': { params: undefined; result: { hash: `0x${string}`; amount: string } }
}
