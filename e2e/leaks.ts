/**
 * Watches for secrets leaving the node worker (DESIGN §6: keys and the mnemonic never leave it
 * unwrapped). In every page and frame of a context, before the app loads, every `postMessage`
 * (to a worker, a port, a BroadcastChannel, the Service Worker) and every `message` received
 * from one is serialized — small binary payloads as hex — and handed to the test, which then
 * looks for the secrets in every form a program would carry them. Recording starts when the
 * test arms it (after restoring identities, whose request carries the phrase by design) and
 * survives reloads.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import type { BrowserContext, Page } from '@playwright/test'
import { deriveContentKey } from '../src/node/crypto/content.ts'
import { deriveIdentity } from '../src/node/crypto/identity.ts'
import { parseMnemonic, seedFromEntropy } from '../src/node/crypto/mnemonic.ts'

/** Installs the recorder in `context`; returns what it recorded so far (a live array). */
export async function recordMessages(context: BrowserContext): Promise<string[]> {
  const seen: string[] = []
  await context.exposeBinding('__hcLeak', (_source, text: string) => void seen.push(text))
  await context.addInitScript(() => {
    const w = window as unknown as { __hcLeak?: (s: string) => void }
    const armed = () => {
      try {
        return sessionStorage.getItem('hc-leak-armed') === '1'
      } catch {
        return false
      }
    }
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
    const ser = (v: unknown, depth: number): string => {
      if (depth > 10) return '…'
      if (typeof v === 'string') return JSON.stringify(v)
      if (v === null || typeof v !== 'object') return String(v)
      if (v instanceof ArrayBuffer) return ser(new Uint8Array(v), depth)
      if (ArrayBuffer.isView(v)) {
        const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
        // Slices of content are large and hold no key; anything a key could travel in is small.
        return b.length <= 4096 ? `bin:${hex(b)}` : `bin[${b.length}]`
      }
      if (v instanceof MessagePort) return 'port'
      if (Array.isArray(v)) return `[${v.map((x) => ser(x, depth + 1)).join(',')}]`
      const out: string[] = []
      for (const k of Object.keys(v))
        out.push(`${k}:${ser((v as Record<string, unknown>)[k], depth + 1)}`)
      if (v instanceof Error) out.push(`message:${JSON.stringify(v.message)}`)
      return `{${out.join(',')}}`
    }
    const record = (dir: string, data: unknown) => {
      if (!armed()) return
      try {
        w.__hcLeak?.(`${dir} ${location.pathname} ${ser(data, 0)}`)
      } catch {
        // a message that cannot be read here is not the app's
      }
    }
    const protos = [Worker, MessagePort, BroadcastChannel, ServiceWorker]
      .filter((c) => typeof c === 'function')
      .map((c) => c.prototype as { postMessage(...a: unknown[]): void })
    for (const p of protos) {
      const post = p.postMessage
      p.postMessage = function (this: unknown, ...args: unknown[]) {
        record('out', args[0])
        return post.apply(this, args)
      }
    }
    const targets = [Worker, MessagePort, BroadcastChannel, ServiceWorkerContainer].filter(
      (c) => typeof c === 'function',
    )
    const watched = (t: unknown) => targets.some((c) => t instanceof c)
    const wrapped = new WeakMap<object, EventListener>()
    const wrap = (fn: EventListener): EventListener => {
      let f = wrapped.get(fn)
      if (!f) {
        f = function (this: unknown, e: Event) {
          record('in', (e as MessageEvent).data)
          return fn.call(this, e)
        }
        wrapped.set(fn, f)
      }
      return f
    }
    const add = EventTarget.prototype.addEventListener
    const remove = EventTarget.prototype.removeEventListener
    EventTarget.prototype.addEventListener = function (this: EventTarget, type, fn, opts) {
      const use = type === 'message' && typeof fn === 'function' && watched(this) ? wrap(fn) : fn
      return add.call(this, type, use, opts)
    }
    EventTarget.prototype.removeEventListener = function (this: EventTarget, type, fn, opts) {
      const use = typeof fn === 'function' ? (wrapped.get(fn) ?? fn) : fn
      return remove.call(this, type, use, opts)
    }
    for (const c of targets) {
      const d = Object.getOwnPropertyDescriptor(c.prototype, 'onmessage')
      if (!d?.set || !d.get) continue
      const set = d.set
      Object.defineProperty(c.prototype, 'onmessage', {
        ...d,
        set(this: unknown, fn: unknown) {
          set.call(this, typeof fn === 'function' ? wrap(fn as EventListener) : fn)
        },
      })
    }
  })
  return seen
}

/** Starts recording in `page`'s tab (and after its reloads). */
export async function armRecorder(page: Page): Promise<void> {
  await page.evaluate(() => sessionStorage.setItem('hc-leak-armed', '1'))
}

/** The strings a mnemonic would leave as: the phrase, any two of its words in a row, its entropy. */
export function mnemonicNeedles(mnemonic: string): string[] {
  const words = mnemonic.split(' ')
  const pairs = words.slice(1).map((w, i) => `${words[i]} ${w}`)
  return [...new Set([mnemonic, ...pairs, bytesToHex(parseMnemonic(mnemonic))])]
}

/** A creator's content key for an item, as hex and base64 (binary payloads are recorded as hex). */
export async function contentKeyNeedles(
  mnemonic: string,
  contentSaltHex: string,
): Promise<string[]> {
  const id = await deriveIdentity(await seedFromEntropy(parseMnemonic(mnemonic)))
  const salt = Uint8Array.from(Buffer.from(contentSaltHex.replace(/^0x/, ''), 'hex'))
  const key = deriveContentKey(id.contentMaster, salt)
  return [bytesToHex(key), Buffer.from(key).toString('base64')]
}

/** Recorded messages that hold a needle (case-insensitive for hex), for an assertion message. */
export function leaks(seen: readonly string[], needles: readonly string[]): string[] {
  const lower = needles.map((n) => n.toLowerCase())
  return seen.filter((m) => {
    const l = m.toLowerCase()
    return lower.some((n) => l.includes(n))
  })
}
