/**
 * `npm run fuzz [-- TARGET…] [--runs N] [--seed S]`: a million inputs per target by default
 * (issue #20 item 4). Prints each target's input count, accepted/rejected split, time and
 * slowest input; a finding is written to fuzz/corpus/<target>/ and the run exits non-zero.
 */
import { fileURLToPath } from 'node:url'
import { FuzzFinding, type FuzzStats, fuzz } from './harness.ts'
import { allTargets } from './targets.ts'

const CORPUS = fileURLToPath(new URL('./corpus', import.meta.url))

function parseArgs(argv: string[]): { names: string[]; runs: number; seed: number | undefined } {
  const names: string[] = []
  let runs = 1_000_000
  let seed: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--runs') runs = Number(argv[++i])
    else if (a === '--seed') seed = Number(argv[++i])
    else names.push(a)
  }
  if (!Number.isSafeInteger(runs) || runs < 1)
    throw new Error('--runs: expected a positive integer')
  return { names, runs, seed }
}

const { names, runs, seed } = parseArgs(process.argv.slice(2))
const targets = (await allTargets()).filter((t) => names.length === 0 || names.includes(t.name))
if (targets.length === 0) throw new Error(`no such target: ${names.join(', ')}`)
const rows: FuzzStats[] = []
let failed = false
for (const t of targets) {
  process.stdout.write(`${t.name}: ${runs.toLocaleString('en')} inputs…`)
  try {
    const s = await fuzz(t, {
      runs,
      ...(seed === undefined ? {} : { seed }),
      corpus: CORPUS,
      onProgress: () => process.stdout.write('.'),
    })
    rows.push(s)
    process.stdout.write(` ${(s.ms / 1000).toFixed(1)} s\n`)
  } catch (err) {
    if (!(err instanceof FuzzFinding)) throw err
    failed = true
    process.stdout.write(`\n  FINDING ${err.message}\n`)
  }
}
console.table(
  rows.map((s) => ({
    target: s.target,
    inputs: s.runs,
    accepted: s.accepted,
    rejected: s.rejected,
    seconds: Number((s.ms / 1000).toFixed(1)),
    'µs/input': Number(((s.ms * 1000) / s.runs).toFixed(1)),
    'slowest ms': Number(s.slowestMs.toFixed(2)),
  })),
)
if (failed) process.exit(1)
