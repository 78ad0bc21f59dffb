import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { RelayStats } from '../relay/relay.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export type RelayProcessOptions = {
  host: string
  httpPort: number
  p2pPort: number
  trackerPort: number
  /** UDP port of the TURN server; 0 picks a free one. */
  turnPort?: number
  dataDir: string
  appDir: string
  chainConfigFile?: string | undefined
  /** Where the relay's stderr goes; the default passes it through. */
  stderr?: 'inherit' | 'ignore'
  /** Extra flags for the relay's Node (e.g. `--cpu-prof`). */
  nodeArgs?: string[]
  /** Receives the relay's stats line this often (relay/main.ts `--stats-ms`). */
  stats?: { everyMs: number; onStats(stats: RelayStats): void }
}

export type RelayReady = {
  url: string
  peerId: string
  multiaddrs: string[]
  tracker: string
  turn: string
  ports: { http: number; p2p: number; tracker: number; turn: number }
}

export type RelayProcess = RelayReady & {
  child: ChildProcess
  /** SIGTERM (a clean stop, SIGKILL after 5 s), or SIGKILL at once (a crash, for drills). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
}

/**
 * Runs `relay/main.ts` as a child process and resolves once it printed its ready line. A
 * separate process is what production runs, and lets tests kill and restart the relay.
 */
export async function spawnRelay(opts: RelayProcessOptions): Promise<RelayProcess> {
  const args = [
    ...(opts.nodeArgs ?? []),
    '--import',
    join(root, 'scripts/polyfill.mjs'),
    await relayBundle(),
    '--host',
    opts.host,
    '--http-port',
    String(opts.httpPort),
    '--p2p-port',
    String(opts.p2pPort),
    '--tracker-port',
    String(opts.trackerPort),
    '--turn-port',
    String(opts.turnPort ?? 0),
    '--data-dir',
    opts.dataDir,
    '--app-dir',
    opts.appDir,
    ...(opts.chainConfigFile ? ['--chain-config', opts.chainConfigFile] : []),
    ...(opts.stats ? ['--stats-ms', String(opts.stats.everyMs)] : []),
  ]
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'],
  })
  let stopping = false
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`the relay exited unexpectedly (code ${code}, signal ${signal})`)
  })
  const lines = createInterface({ input: child.stdout! })
  const ready = await new Promise<RelayReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay did not start within 30 s')), 30_000)
    child.once('exit', (code) => reject(new Error(`the relay exited with code ${code}`)))
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as RelayReady & { event?: string }
        if (msg.event === 'ready') {
          clearTimeout(timer)
          resolve(msg)
        } else if (msg.event === 'stats') opts.stats?.onStats(msg as unknown as RelayStats)
      } catch {
        // not a control line
      }
    })
  })
  return {
    ...ready,
    child,
    async stop(signal = 'SIGTERM') {
      stopping = true
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}

let bundle: Promise<string> | undefined

/**
 * relay/main.ts and the repository files it imports as one ES module (its packages stay
 * imports), built fresh once per process by Vite (≈ 0.2 s) and written under
 * `.cache/relay/` by a hash of its code. The relay then starts in plain Node: through tsx's
 * loader, which sees every module the packages load, its start took ≈ 5 s of CPU, ≈ 2 s
 * without (each end-to-end file starts one).
 */
function relayBundle(): Promise<string> {
  bundle ??= (async () => {
    const { build } = await import('vite')
    const out = await build({
      configFile: false,
      logLevel: 'warn',
      build: {
        ssr: join(root, 'relay/main.ts'),
        write: false,
        target: 'node20',
        minify: false,
        copyPublicDir: false,
      },
    })
    const first = Array.isArray(out) ? out[0] : out
    const chunk = first && 'output' in first ? first.output[0] : undefined
    if (chunk?.type !== 'chunk') throw new Error('building the relay gave no code')
    const hash = createHash('sha256').update(chunk.code).digest('hex').slice(0, 16)
    const file = join(root, '.cache', 'relay', `main-${hash}.js`)
    if (!(await stat(file).catch(() => null))) {
      await mkdir(dirname(file), { recursive: true })
      const tmp = `${file}.${process.pid}.tmp`
      await writeFile(tmp, chunk.code)
      await rename(tmp, file)
    }
    return file
  })()
  return bundle
}
