/**
 * `npm run bench [-- NAME ...]`: runs bench/NAME.ts (all of them without a name), writes
 * bench/results/NAME.json (DESIGN §8) and prints a table per benchmark.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BenchModule, formatTable, withRatio } from './lib.ts'

const here = dirname(fileURLToPath(import.meta.url))
const skip = new Set(['lib', 'run'])

async function main(): Promise<void> {
  const available = (await readdir(here))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !skip.has(n) && !n.startsWith('_'))
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'))
  const names = wanted.length > 0 ? wanted : available
  for (const name of names) {
    if (!available.includes(name)) {
      console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`)
      process.exitCode = 2
      return
    }
  }
  await mkdir(join(here, 'results'), { recursive: true })
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  for (const name of names) {
    const mod = (await import(join(here, `${name}.ts`))) as BenchModule
    const raw = await mod.run({
      signal: controller.signal,
      log: (msg) => console.error(`[${name}] ${msg}`),
    })
    const rows = raw.map((r) => withRatio(r, raw))
    await writeFile(join(here, 'results', `${name}.json`), `${JSON.stringify(rows, null, 2)}\n`)
    console.log(`${formatTable(name, rows)}\n`)
  }
}

await main()
