/**
 * The short fuzz run in `npm test` (issue #20 item 4): every target's found inputs replayed,
 * then {@link RUNS} generated inputs each (FUZZ_RUNS overrides; `npm run fuzz` gives a million).
 * A failure names the shrunk input and fast-check's seed; the input is not written here (a
 * test run leaves the tree as it was): run `npm run fuzz -- TARGET --seed S` to keep it.
 *
 * The seed is fixed (FUZZ_SEED overrides), so `npm test` and CI run the same inputs every time
 * and a failure there reproduces; `npm run fuzz` draws new ones on every run.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkInput, type FuzzTarget, fuzz, loadCorpus } from './harness.ts'
import { allTargets } from './targets.ts'

const RUNS = Number(process.env.FUZZ_RUNS ?? 20_000)
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205)
const CORPUS = fileURLToPath(new URL('./corpus', import.meta.url))
const targets: FuzzTarget<never>[] = await allTargets()

describe.each(targets.map((t, i) => [t.name, t, i] as const))('fuzz %s', (_, t, i) => {
  it('replays its corpus: each input is accepted or refused with a typed error, in time', async () => {
    for (const { file, input } of loadCorpus(CORPUS, t))
      await expect(checkInput(t, input), file).resolves.toBeDefined()
  })

  it(`survives ${RUNS.toLocaleString('en')} generated inputs`, { timeout: 300_000 }, async () => {
    const stats = await fuzz(t, { runs: RUNS, seed: SEED + i })
    expect(stats.runs).toBe(RUNS)
    // The generator reaches both ways out of the parser.
    expect(stats.accepted).toBeGreaterThan(0)
    expect(stats.rejected).toBeGreaterThan(0)
  })
})
