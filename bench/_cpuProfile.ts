/**
 * CPU profiles of a page's dedicated workers (the node runs in one), for tuning a bench:
 * `BENCH_PAY_PROFILE=dir npm run bench -- pay` writes one `.cpuprofile` per leg for each tab's
 * page and node worker (open it in Chromium's DevTools, Performance panel) and logs the top
 * self times.
 *
 * Chromium's DevTools protocol from the page's own CDP session: auto-attach to its workers
 * (not flattened, so messages go through `Target.sendMessageToTarget`, which Playwright's
 * CDPSession can send), then `Profiler.start`/`stop` in each.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { CDPSession, Page } from 'playwright-core'

type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
type Profile = { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] }

/** Profiling of a page's workers, started; `stop` writes the profiles and returns a summary. */
export type WorkerProfiling = {
  stop(dir: string, label: string): Promise<string>
}

export async function profileWorkers(page: Page): Promise<WorkerProfiling> {
  const cdp: CDPSession = await page.context().newCDPSession(page)
  const sessions: string[] = []
  let id = 0
  const pending = new Map<number, (result: unknown) => void>()
  cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
    const m = JSON.parse(e.message) as { id?: number; result?: unknown }
    if (m.id !== undefined) pending.get(m.id)?.(m.result)
  })
  const send = (sessionId: string, method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const n = ++id
      pending.set(n, resolve)
      void cdp.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id: n, method, params }),
      })
    })
  const attached = new Promise<void>((resolve) => {
    cdp.on('Target.attachedToTarget', (e: { sessionId: string; targetInfo: { type: string } }) => {
      if (e.targetInfo.type !== 'worker') return
      sessions.push(e.sessionId)
      void (async () => {
        await send(e.sessionId, 'Profiler.enable')
        await send(e.sessionId, 'Profiler.setSamplingInterval', { interval: 200 })
        await send(e.sessionId, 'Profiler.start')
        resolve()
      })()
    })
  })
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: false,
  })
  await attached
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  return {
    async stop(dir, label) {
      const lines: string[] = []
      for (const [k, sessionId] of sessions.entries()) {
        const { profile } = (await send(sessionId, 'Profiler.stop')) as { profile: Profile }
        await writeFile(join(dir, `${label}-w${k}.cpuprofile`), JSON.stringify(profile))
        lines.push(`${label} worker ${k}:\n${summarise(profile)}`)
      }
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile }
      await writeFile(join(dir, `${label}-page.cpuprofile`), JSON.stringify(profile))
      lines.push(`${label} page:\n${summarise(profile, 12)}`)
      await cdp.detach()
      return lines.join('\n')
    },
  }
}

/** The top self times, by function and place, in ms and share of the profile. */
function summarise(p: Profile, top = 25): string {
  const total = (p.endTime - p.startTime) / 1000
  const perSample = total / Math.max(1, p.samples.length)
  const self = new Map<string, number>()
  for (const n of p.nodes) {
    const f = n.callFrame
    const where = f.url ? `${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}` : ''
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim()
    self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0) * perSample)
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([k, ms]) =>
        `  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${k}`,
    )
    .join('\n')
}
