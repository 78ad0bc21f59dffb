/**
 * Compiles contracts/*.sol with solc-js (offline; OpenZeppelin imports are read from
 * node_modules), caches the result under `.cache/contracts/` by a hash of the sources, the
 * compiler version and the settings, and keeps the typed ABI module `src/node/chain/abi.ts`
 * in step. Bytecode stays in the cache (the app bundle carries ABIs only).
 */

import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'

/** The repository root (two levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const cacheDir = join(repoRoot, '.cache', 'contracts')
/** The generated ABI module the app imports. */
export const abiModulePath = join(repoRoot, 'src', 'node', 'chain', 'abi.ts')

/** One compiled contract. */
export type Artifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }
/** Compiled contracts by contract name (e.g. `KeyMarket`). */
export type Artifacts = Record<string, Artifact>

/** Compiler settings; part of the cache key. `cancun` for transient storage (EIP-1153). */
export const solcSettings = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

/** The contracts whose ABIs go into `src/node/chain/abi.ts`, with their export names. */
export const appContracts = {
  CardRegistry: 'cardRegistryAbi',
  KeyMarket: 'keyMarketAbi',
  Chequebook: 'chequebookAbi',
} as const

type Solc = {
  version(): string
  compile(
    input: string,
    callbacks: { import(path: string): { contents: string } | { error: string } },
  ): string
}
let solcInstance: Solc | undefined
function loadSolc(): Solc {
  solcInstance ??= createRequire(import.meta.url)('solc') as Solc
  return solcInstance
}

/** Raised when solc reports errors; `details` has the formatted messages. */
export class SolidityCompileError extends Error {
  override name = 'SolidityCompileError' as const
}

function readImport(path: string): { contents: string } | { error: string } {
  const candidates = [join(repoRoot, path), join(repoRoot, 'node_modules', path)]
  for (const file of candidates) {
    const inside = relative(repoRoot, file)
    if (!inside.startsWith('..') && existsSync(file)) {
      // solc-js import callbacks are synchronous.
      return { contents: readFileSync(file, 'utf8') }
    }
  }
  return { error: `not found: ${path}` }
}

async function ozVersion(): Promise<string> {
  const pkg = JSON.parse(
    await readFile(join(repoRoot, 'node_modules/@openzeppelin/contracts/package.json'), 'utf8'),
  ) as { version: string }
  return pkg.version
}

/**
 * Compiles the given Solidity files (paths relative to the repository root), cached.
 * @example const out = await compileSolidity({ files: ['contracts/test/Reentrant.sol'] })
 */
export async function compileSolidity(opts: { files: string[] }): Promise<Artifacts> {
  const solc = loadSolc()
  const sources: Record<string, { content: string }> = {}
  for (const f of [...opts.files].sort()) {
    sources[f] = { content: await readFile(join(repoRoot, f), 'utf8') }
  }
  const hash = createHash('sha256')
    .update(JSON.stringify({ v: solc.version(), oz: await ozVersion(), solcSettings, sources }))
    .digest('hex')
  const cached = join(cacheDir, `${hash}.json`)
  if (existsSync(cached)) return JSON.parse(await readFile(cached, 'utf8')) as Artifacts

  const input = { language: 'Solidity', sources, settings: solcSettings }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport })) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts?: Record<
      string,
      Record<
        string,
        { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
      >
    >
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new SolidityCompileError(errors.map((e) => e.formattedMessage).join('\n'))
  }
  const artifacts: Artifacts = {}
  for (const file of Object.keys(sources)) {
    for (const [name, c] of Object.entries(output.contracts?.[file] ?? {})) {
      artifacts[name] = {
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      }
    }
  }
  await mkdir(cacheDir, { recursive: true })
  const tmp = `${cached}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(artifacts))
  await rename(tmp, cached)
  return artifacts
}

/** The top-level contract sources, `contracts/*.sol`. */
export async function contractSources(): Promise<string[]> {
  return (await readdir(join(repoRoot, 'contracts')))
    .filter((f) => f.endsWith('.sol'))
    .map((f) => `contracts/${f}`)
}

/**
 * Compiles `contracts/*.sol` (cached) and refreshes `src/node/chain/abi.ts` if the ABIs changed.
 * @example const { KeyMarket } = await compileContracts()
 */
export async function compileContracts(): Promise<Artifacts> {
  const artifacts = await compileSolidity({ files: await contractSources() })
  await writeAbiModule(artifacts)
  return artifacts
}

/** The source text of the ABI module for `artifacts` (before formatting). */
export function abiModuleSource(artifacts: Artifacts): string {
  const parts = Object.entries(appContracts).map(([contract, exportName]) => {
    const artifact = artifacts[contract]
    if (!artifact) throw new SolidityCompileError(`contract ${contract} missing from the build`)
    return `/** ABI of \`contracts/${contract}.sol\`. */\nexport const ${exportName} = ${JSON.stringify(artifact.abi)} as const\n`
  })
  const digest = abiDigest(artifacts)
  return `// Generated by scripts/chain/compile.ts from contracts/*.sol. Do not edit.\n// abi-digest: ${digest}\n\n${parts.join('\n')}`
}

/** A digest of the app contracts' ABIs, written into the module header. */
export function abiDigest(artifacts: Artifacts): string {
  const abis = Object.keys(appContracts).map((c) => artifacts[c]?.abi)
  return createHash('sha256').update(JSON.stringify(abis)).digest('hex').slice(0, 16)
}

async function writeAbiModule(artifacts: Artifacts): Promise<void> {
  const digest = abiDigest(artifacts)
  const current = existsSync(abiModulePath) ? await readFile(abiModulePath, 'utf8') : ''
  if (current.includes(`// abi-digest: ${digest}\n`)) return
  await mkdir(dirname(abiModulePath), { recursive: true })
  await writeFile(abiModulePath, abiModuleSource(artifacts))
  // Format like the rest of the repository so `biome check` stays clean.
  await new Promise<void>((done) => {
    execFile(join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', abiModulePath], () =>
      done(),
    )
  })
}
