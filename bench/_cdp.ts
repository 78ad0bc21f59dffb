/**
 * Dedicated (and service) workers of a browser over CDP (a browser session, non-flattened target sessions):
 * their heap for the stream bench's `stream_heap_mb`, and CPU profiles with BENCH_PROFILE=n.
 */
import { writeFileSync } from 'node:fs'
import type { Browser, CDPSession } from 'playwright-core'

type TargetInfo = { targetId: string; type: string; title: string; url: string }
type Reply = { id?: number; result?: unknown; error?: { message: string } }

/** The workers of `browser` whose title or URL passes `match`, each with a `send`; e2e/sites.spec.ts samples their heaps during a download. */
export async function attachWorkers(
  browser: Browser,
  match: (t: TargetInfo) => boolean,
  /** Target types to attach: dedicated workers, or also `service_worker`. */
  types: readonly string[] = ['worker'],
): Promise<{
  workers: { info: TargetInfo; send<T>(method: string, params?: object): Promise<T> }[]
  detach(): Promise<void>
}> {
  const cdp: CDPSession = await browser.newBrowserCDPSession()
  const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: TargetInfo[] }
  const pending = new Map<string, (m: Reply) => void>()
  cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
    const m = JSON.parse(e.message) as Reply
    pending.get(`${e.sessionId}:${m.id}`)?.(m)
  })
  let next = 0
  const sessions: string[] = []
  const workers = []
  for (const info of targetInfos.filter((t) => types.includes(t.type) && match(t))) {
    const { sessionId } = (await cdp.send('Target.attachToTarget', {
      targetId: info.targetId,
      flatten: false,
    })) as { sessionId: string }
    sessions.push(sessionId)
    const send = <T>(method: string, params: object = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++next
        pending.set(`${sessionId}:${id}`, (m) => {
          pending.delete(`${sessionId}:${id}`)
          if (m.error) reject(new Error(`${method}: ${m.error.message}`))
          else resolve(m.result as T)
        })
        cdp
          .send('Target.sendMessageToTarget', {
            sessionId,
            message: JSON.stringify({ id, method, params }),
          })
          .catch(reject)
      })
    workers.push({ info, send })
  }
  return {
    workers,
    async detach() {
      for (const sessionId of sessions)
        await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {})
      await cdp.detach().catch(() => {})
    },
  }
}

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number }

/**
 * Starts V8's sampling profiler in every dedicated worker of `browser`; the returned stop
 * writes each profile to `<file>-<n>.cpuprofile` (open it in DevTools) and returns a summary:
 * the functions with the most self time, per worker.
 */
export async function profileWorkers(
  browser: Browser,
  file: string,
): Promise<() => Promise<string>> {
  const attached = await attachWorkers(browser, () => true)
  for (const w of attached.workers) {
    await w.send('Profiler.enable')
    await w.send('Profiler.setSamplingInterval', { interval: 250 })
    await w.send('Profiler.start')
  }
  return async () => {
    const out: string[] = []
    for (const [n, w] of attached.workers.entries()) {
      const { profile } = await w.send<{ profile: Profile }>('Profiler.stop')
      writeFileSync(`${file}-${n}.cpuprofile`, JSON.stringify(profile))
      out.push(`${w.info.url.split('/').at(-1)} (${file}-${n}.cpuprofile)`, ...topSelf(profile))
    }
    await attached.detach()
    return out.join('\n')
  }
}

function topSelf(p: Profile, count = 12): string[] {
  const total = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1
  const self = new Map<string, number>()
  for (const n of p.nodes) {
    const f = n.callFrame
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1)}:${f.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0))
  }
  const wall = (p.endTime - p.startTime) / 1e6
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
    .concat(`  (${wall.toFixed(1)} s sampled)`)
}
