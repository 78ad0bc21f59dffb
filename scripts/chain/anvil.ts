/**
 * Starts a local anvil chain for development, tests and benchmarks (DESIGN §1 "Chain").
 * anvil comes from the npm package `@foundry-rs/anvil-linux-amd64` (node_modules/.bin/anvil).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { repoRoot } from './compile.ts'

/** anvil's chain id. */
export const anvilChainId = 31337

/** Options of {@link startAnvil}. */
export type StartAnvilOptions = {
  /** 0 (default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Keep the chain state in `<dataDir>/anvil-state.json` across restarts. */
  dataDir?: string
  /** Write the chain state (blocks, receipts, accounts) to this file when anvil stops. */
  dumpState?: string
  /** Start from the state in this file (one `dumpState` wrote). */
  loadState?: string
  /**
   * Dump every block's state too, not only the head's: without it a restarted anvil answers
   * no call pinned to a block number from before the restart (not even the head's). The dump
   * grows by about 100 kB a block.
   */
  keepHistory?: boolean
  /** Seconds between blocks; default: a block per transaction. */
  blockTime?: number
  /** An older EVM rule set (e.g. 'cancun'); default: anvil's own (Prague). Benchmarks only. */
  hardfork?: string
  /** Aborting stops anvil (and rejects while it starts). */
  signal?: AbortSignal
}

/** A running anvil. */
export type AnvilInstance = {
  rpcUrl: string
  port: number
  chainId: number
  /** The supervising process (a shell that owns anvil; see {@link startAnvil}). */
  process: ChildProcess
  /** Lets anvil dump its state (SIGINT) and waits for it to exit. Idempotent. */
  stop(): Promise<void>
}

const anvilBin = join(repoRoot, 'node_modules', '.bin', 'anvil')

// anvil runs under a small shell supervisor: when our stdin pipe closes (this Node process
// exited, even by SIGKILL) or the supervisor gets SIGINT/SIGTERM, anvil gets SIGINT, so it
// dumps its state and never outlives us.
const supervisor = [
  'exec 3<&0',
  '"$0" "$@" </dev/null & p=$!',
  "trap 'kill -INT $p 2>/dev/null' INT TERM",
  '( cat <&3 >/dev/null; kill -INT $p 2>/dev/null ) &',
  'w=$!',
  'while kill -0 $p 2>/dev/null; do wait $p; done',
  'kill $w 2>/dev/null',
].join('\n')

const live = new Set<ChildProcess>()
let exitHookInstalled = false
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of live) child.kill('SIGINT')
  })
}

/**
 * Starts anvil on `host:port` and resolves once it answers `eth_chainId`.
 * @example
 * const anvil = await startAnvil()
 * // ... use anvil.rpcUrl
 * await anvil.stop()
 */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<{
  rpcUrl: string
  port: number
  chainId: number
  process: ChildProcess
  stop(): Promise<void>
}> {
  const host = opts.host ?? '127.0.0.1'
  const args = [
    '--host',
    host,
    '--port',
    String(opts.port ?? 0),
    '--chain-id',
    String(anvilChainId),
  ]
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime))
  if (opts.hardfork !== undefined) args.push('--hardfork', opts.hardfork)
  if (opts.dataDir !== undefined) {
    await mkdir(opts.dataDir, { recursive: true })
    args.push('--state', join(opts.dataDir, 'anvil-state.json'), '--state-interval', '5')
  }
  if (opts.dumpState !== undefined) args.push('--dump-state', opts.dumpState)
  if (opts.keepHistory) args.push('--preserve-historical-states')
  if (opts.loadState !== undefined) args.push('--load-state', opts.loadState)
  opts.signal?.throwIfAborted()
  const child = spawn('/bin/sh', ['-c', supervisor, anvilBin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  installExitHook()
  live.add(child)
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      live.delete(child)
      done()
    })
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT')
    await exited
  }

  let output = ''
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        const m = /Listening on [^\s:]+:(\d+)/.exec(output)
        if (m) {
          child.stdout?.off('data', onData)
          child.stdout?.resume()
          resolvePort(Number(m[1]))
        }
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', (c: Buffer) => {
        output = (output + c.toString()).slice(-4000)
      })
      child.once('exit', (code) =>
        reject(new Error(`anvil exited (${code}) before listening:\n${output.slice(-2000)}`)),
      )
      opts.signal?.addEventListener('abort', () => reject(opts.signal?.reason), { once: true })
    })
    const rpcUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
    const chainId = await waitForRpc(rpcUrl, opts.signal)
    opts.signal?.addEventListener('abort', () => void stop(), { once: true })
    return { rpcUrl, port, chainId, process: child, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

async function waitForRpc(rpcUrl: string, signal: AbortSignal | undefined): Promise<number> {
  const deadline = Date.now() + 15_000
  for (;;) {
    signal?.throwIfAborted()
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: signal ?? null,
      })
      const body = (await res.json()) as { result?: string }
      if (body.result) return Number.parseInt(body.result, 16)
    } catch (err) {
      if (signal?.aborted) throw err
      if (Date.now() > deadline) throw new Error(`anvil at ${rpcUrl} did not answer eth_chainId`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}
