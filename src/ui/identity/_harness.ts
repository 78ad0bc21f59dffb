/**
 * Test page for the identity components (identity.browser.test.ts): mounts Onboarding and
 * Backup over the real identity handlers (IndexedDB vault in the page, fast scrypt). The real
 * phrase renderer is wrapped so the test can learn the words it drew (`__drawn`): a person
 * reads them off the screen; the test has no eyes.
 */
import { mount } from 'svelte'
import { createIdentityHandlers } from '../../node/crypto/handlers.ts'
import { IdentityService } from '../../node/crypto/identityService.ts'
import { renderPhrase } from '../../node/crypto/phraseImage.ts'
import type { RpcMethod, RpcParams, RpcResult } from '../../shared/protocol/rpc.ts'
import Backup from './Backup.svelte'
import Onboarding from './Onboarding.svelte'
import type { IdentityReady, IdentityRpc } from './types.ts'

const w = window as unknown as { __ready?: unknown; __drawn?: string[][] }
w.__drawn = []
const handlers = createIdentityHandlers(
  new IdentityService({ vaultName: `ui-${Date.now()}`, scrypt: { N: 1024, r: 8, p: 1 } }),
  (words, scale) => {
    w.__drawn?.push([...words])
    return renderPhrase(words, scale)
  },
)
const rpc: IdentityRpc = {
  call<M extends RpcMethod>(method: M, params: RpcParams<M>, opts?: { signal?: AbortSignal }) {
    const h = (
      handlers as unknown as Record<
        string,
        (p: unknown, c: { signal: AbortSignal }) => Promise<unknown>
      >
    )[method]
    if (!h) return Promise.reject(new Error(`no handler for ${method}`))
    return h(params, { signal: opts?.signal ?? new AbortController().signal }) as Promise<
      RpcResult<M>
    >
  },
}

mount(Onboarding, {
  target: document.getElementById('onboarding')!,
  props: { rpc, onready: (info: IdentityReady) => (w.__ready = info) },
})
mount(Backup, { target: document.getElementById('backup')!, props: { rpc } })
