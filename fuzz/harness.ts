/**
 * The fuzz harness (issue #20 item 4): runs a parser on generated inputs and holds it to three
 * properties —
 * - no crash: it returns, or throws one of its own typed errors (anything else, a TypeError or
 *   RangeError from deep inside, is a bug in the parser);
 * - no hang: no input takes more than {@link HANG_MS} (a slow input is timed twice more and
 *   fails only if it is slow every time, so a descheduled process is not a finding);
 * - found inputs stay: a failing input, shrunk by fast-check, is written to
 *   `fuzz/corpus/<target>/` and replayed by the unit tests from then on.
 * `npm run fuzz` gives each target a million inputs (fuzz/run.ts); `npm test` a short run
 * (fuzz/fuzz.test.ts).
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'

/** An input slower than this is a hang (issue #20). */
export const HANG_MS = 100

/** A parser of bytes (or text) from a peer, the relay, the chain or a file. */
export type FuzzTarget<T> = {
  name: string
  /** Structure-aware inputs (see mutate.ts). */
  input: fc.Arbitrary<T>
  /**
   * Runs the parser (and what the node does with its result, where that can throw); resolves
   * or returns true for an accepted input, throws for a rejected one.
   */
  parse(input: T): unknown
  /** Whether `parse` is async (it then returns a promise). */
  async?: boolean
  /** The parser's typed rejections: any other throw is a finding. */
  errors: readonly (abstract new (
    ...args: never[]
  ) => Error)[]
  /** Corpus form: text and back. */
  save(input: T): string
  load(text: string): T
}

/** Per-target result of a run. */
export type FuzzStats = {
  target: string
  runs: number
  accepted: number
  rejected: number
  ms: number
  slowestMs: number
}

export class FuzzFinding extends Error {
  override name = 'FuzzFinding'
}

const now = () => performance.now()

function checkThrown<T>(t: FuzzTarget<T>, err: unknown): void {
  if (t.errors.some((cls) => err instanceof cls)) return
  const e = err as Error
  throw new FuzzFinding(
    `${t.name}: untyped rejection ${e?.name ?? typeof err}: ${e?.message ?? String(err)}`,
    { cause: err },
  )
}

/** Runs one input once: its time, and whether it was accepted (throws a finding). */
function once<T>(t: FuzzTarget<T>, input: T): { ms: number; ok: boolean } {
  const t0 = now()
  try {
    t.parse(input)
    return { ms: now() - t0, ok: true }
  } catch (err) {
    const ms = now() - t0
    checkThrown(t, err)
    return { ms, ok: false }
  }
}

async function onceAsync<T>(t: FuzzTarget<T>, input: T): Promise<{ ms: number; ok: boolean }> {
  const t0 = now()
  try {
    await t.parse(input)
    return { ms: now() - t0, ok: true }
  } catch (err) {
    const ms = now() - t0
    checkThrown(t, err)
    return { ms, ok: false }
  }
}

function hang(t: string, times: number[]): never {
  throw new FuzzFinding(
    `${t}: an input took ${times.map((x) => x.toFixed(0)).join(', ')} ms (limit ${HANG_MS} ms)`,
  )
}

/**
 * Checks one input against all three properties; returns whether it was accepted and its
 * time. Throws {@link FuzzFinding}.
 */
export async function checkInput<T>(
  t: FuzzTarget<T>,
  input: T,
): Promise<{ ms: number; ok: boolean }> {
  const run = () => (t.async ? onceAsync(t, input) : Promise.resolve(once(t, input)))
  const first = await run()
  if (first.ms <= HANG_MS) return first
  const times = [first.ms, (await run()).ms, (await run()).ms]
  if (Math.min(...times) > HANG_MS) hang(t.name, times)
  return { ...first, ms: Math.min(...times) }
}

/** Where a target's found inputs live. */
export function corpusDir(root: string, target: string): string {
  return join(root, target)
}

/** The corpus of a target: file name and input, in name order. */
export function loadCorpus<T>(root: string, t: FuzzTarget<T>): { file: string; input: T }[] {
  let files: string[]
  try {
    files = readdirSync(corpusDir(root, t.name)).filter((f) => f.endsWith('.txt'))
  } catch {
    return []
  }
  return files.sort().map((file) => ({
    file,
    input: t.load(readFileSync(join(corpusDir(root, t.name), file), 'utf8').trim()),
  }))
}

/** Writes an input to the corpus (named by its hash, so saving twice is harmless). */
export function saveToCorpus<T>(root: string, t: FuzzTarget<T>, input: T): string {
  const text = t.save(input)
  const dir = corpusDir(root, t.name)
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.txt`)
  writeFileSync(file, `${text}\n`)
  return file
}

export type FuzzOptions = {
  runs: number
  seed?: number
  /** Where to keep a failing input; none: do not write it. */
  corpus?: string
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number) => void
  progressEvery?: number
}

/**
 * Fuzzes one target. Resolves with its stats; rejects with a {@link FuzzFinding} naming the
 * shrunk input (written to the corpus when `corpus` is given) and fast-check's seed.
 * @example const stats = await fuzz(cardTarget, { runs: 1_000_000, corpus: 'fuzz/corpus' })
 */
export async function fuzz<T>(t: FuzzTarget<T>, o: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = {
    target: t.name,
    runs: 0,
    accepted: 0,
    rejected: 0,
    ms: 0,
    slowestMs: 0,
  }
  const every = o.progressEvery ?? 100_000
  const count = (r: { ms: number; ok: boolean }) => {
    stats.runs++
    if (r.ok) stats.accepted++
    else stats.rejected++
    stats.slowestMs = Math.max(stats.slowestMs, r.ms)
    if (stats.runs % every === 0) o.onProgress?.(stats.runs)
  }
  const slow: T[] = []
  // Parsers log what they refuse (a wire's ban, a dropped message): a million lines of it
  // would cost more than the parsing. Silenced for the run, restored after.
  const { warn, error } = console
  console.warn = console.error = () => {}
  const params = { numRuns: o.runs, ...(o.seed === undefined ? {} : { seed: o.seed }) }
  const t0 = now()
  const details = await runChecks().finally(() => {
    console.warn = warn
    console.error = error
  })
  async function runChecks() {
    return t.async
      ? await fc.check(
          fc.asyncProperty(t.input, async (input) => count(await checkInput(t, input))),
          params,
        )
      : fc.check(
          fc.property(t.input, (input) => {
            const r = once(t, input)
            // A slow input is re-timed (asynchronously) after the run: see checkInput.
            if (r.ms > HANG_MS) slow.push(input)
            // Its time counts once re-timed (below), not the first, maybe descheduled, one.
            count({ ...r, ms: r.ms > HANG_MS ? 0 : r.ms })
          }),
          params,
        )
  }
  stats.ms = now() - t0
  if (details.failed) {
    const input = details.counterexample?.[0] as T
    const file =
      o.corpus !== undefined && input !== undefined ? saveToCorpus(o.corpus, t, input) : null
    const err = details.errorInstance
    throw new FuzzFinding(
      `${t.name}: ${err instanceof Error ? err.message : String(err)} (seed ${details.seed}, path ${details.counterexamplePath}${file ? `; kept as ${file}` : ''})`,
      { cause: err },
    )
  }
  for (const input of slow) {
    try {
      stats.slowestMs = Math.max(stats.slowestMs, (await checkInput(t, input)).ms)
    } catch (err) {
      const file = o.corpus !== undefined ? saveToCorpus(o.corpus, t, input) : null
      throw new FuzzFinding(`${(err as Error).message}${file ? `; kept as ${file}` : ''}`, {
        cause: err,
      })
    }
  }
  return stats
}

/** Corpus forms for byte and text inputs. */
export const hexForm = {
  save: (b: Uint8Array) => Buffer.from(b).toString('hex'),
  load: (s: string) => Uint8Array.from(Buffer.from(s, 'hex')),
}
export const textForm = {
  save: (s: string) => JSON.stringify(s),
  load: (s: string) => JSON.parse(s) as string,
}
