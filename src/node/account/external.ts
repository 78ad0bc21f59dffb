/**
 * An external EIP-1193 wallet (DESIGN §2) for on-chain actions. The provider lives in the page
 * (`window.ethereum`); the worker reaches it through a small typed path over the existing RPC:
 * the worker emits `keys.walletRequest { id, method, params }` and the page answers with
 * `wallet.reply { id, result | error }` (src/ui/wallet/external.ts). viem's wallet client uses
 * it as a `custom` transport; reads and receipts still go straight to the RPC URL.
 *
 * The wrap key is then derived from the wallet's signature of {@link EXTERNAL_WRAP_MESSAGE}
 * (`deriveExternalWrapKey` in crypto/wrapKey.ts).
 */
import type { EIP1193RequestFn } from 'viem'
import { UserRejectedError } from '../../shared/errors/chain.ts'
import { AbortedError, TimeoutError } from '../../shared/errors/common.ts'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'

/** The message an external wallet signs to derive its wrap key (never change it: keys follow). */
export const EXTERNAL_WRAP_MESSAGE =
  'Hashcard v1: derive my key-wrapping key.\n\nSigning this costs nothing and sends nothing.'

/** How long the worker waits for the page's wallet (the person may have to confirm). */
export const WALLET_REPLY_TIMEOUT_MS = 5 * 60_000

type Pending = {
  resolve(v: unknown): void
  reject(e: unknown): void
  timer: ReturnType<typeof setTimeout>
}

/** The worker's end of the page↔worker wallet path. */
export class WalletBridge {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  /**
   * Whether the page answers wallet requests. False after a reload restored the wallet (the
   * page has not found its provider yet): requests then fail at once instead of waiting.
   */
  attached = false

  constructor(private readonly emit: (e: NodeEvent) => void) {}

  /** An EIP-1193 `request` that forwards to the page's provider. */
  readonly request = ((
    args: { method: string; params?: unknown },
    opts?: { signal?: AbortSignal },
  ) => {
    if (!this.attached)
      return Promise.reject(
        new ExternalWalletError(
          'Your browser wallet is not connected in this tab. Connect it again on the Wallet page.',
        ),
      )
    const id = this.nextId++
    const params = (Array.isArray(args.params) ? args.params : []) as unknown[]
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          new TimeoutError(
            `The wallet's answer to ${args.method} did not finish within ${WALLET_REPLY_TIMEOUT_MS} ms.`,
          ),
        )
      }, WALLET_REPLY_TIMEOUT_MS)
      this.pending.set(id, { resolve, reject, timer })
      opts?.signal?.addEventListener('abort', () => {
        this.settle(id, undefined, 'aborted')
        reject(new AbortedError(`The wallet request ${args.method} was cancelled.`))
      })
      this.emit({ kind: 'keys.walletRequest', id, method: args.method, params })
    })
  }) as unknown as EIP1193RequestFn

  /** The page's answer to request `id` (`code`: the wallet's EIP-1193 error code). */
  reply(id: number, result: unknown, error?: string, code?: number): void {
    this.settle(id, result, error, code)
  }

  /** Fails every open request (the wallet was disconnected). */
  close(): void {
    this.attached = false
    for (const id of [...this.pending.keys()])
      this.settle(id, undefined, 'The wallet was disconnected.')
  }

  private settle(id: number, result: unknown, error: string | undefined, code?: number): void {
    const p = this.pending.get(id)
    if (!p) return
    this.pending.delete(id)
    clearTimeout(p.timer)
    if (error === undefined) p.resolve(result)
    // EIP-1193 code 4001: the person declined in the wallet.
    else if (code === 4001)
      p.reject(new UserRejectedError('You declined in your wallet: nothing was sent.'))
    else p.reject(new ExternalWalletError(`The wallet refused: ${error.slice(0, 300)}`))
  }
}
