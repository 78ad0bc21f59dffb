import { describe, expect, it } from 'vitest'
import { ExternalWalletError } from '../../shared/errors/wallet.ts'
import type { NodeEvent } from '../../shared/protocol/rpc.ts'
import { WalletBridge } from './external.ts'

describe('external wallet', () => {
  it('forwards requests to the page as events, once attached, and settles them with its replies', async () => {
    const events: NodeEvent[] = []
    const bridge = new WalletBridge((e) => events.push(e))
    const request = bridge.request as unknown as (a: {
      method: string
      params?: unknown[]
    }) => Promise<unknown>
    // Not attached (a reload restored the wallet, the page has not found it): fails at once.
    await expect(request({ method: 'eth_chainId' })).rejects.toBeInstanceOf(ExternalWalletError)
    expect(events).toEqual([])
    bridge.attached = true
    const ok = request({ method: 'eth_sendTransaction', params: [{ to: '0x01' }] })
    const refused = request({ method: 'personal_sign', params: ['0x00'] })
    expect(events).toEqual([
      {
        kind: 'keys.walletRequest',
        id: 1,
        method: 'eth_sendTransaction',
        params: [{ to: '0x01' }],
      },
      { kind: 'keys.walletRequest', id: 2, method: 'personal_sign', params: ['0x00'] },
    ])
    bridge.reply(1, '0xabc')
    bridge.reply(2, undefined, 'User rejected the request.')
    await expect(ok).resolves.toBe('0xabc')
    await expect(refused).rejects.toBeInstanceOf(ExternalWalletError)
  })
})
