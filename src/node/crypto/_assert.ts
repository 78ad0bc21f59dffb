/**
 * Tiny assertions for checks that run both under vitest (Node) and in a Chromium worker
 * (no test framework there). A check is `{ name, run }`; it throws on failure.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'

export type Check = { name: string; run: () => Promise<void> }

export const hex = (s: string): Uint8Array => hexToBytes(s.replace(/\s+/g, ''))
export const toHex = bytesToHex

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`assertion failed: ${msg}`)
}

export function assertEqual<T>(actual: T, expected: T, msg: string): void {
  if (actual !== expected)
    throw new Error(`${msg}: expected ${String(expected)}, got ${String(actual)}`)
}

export function assertHex(actual: Uint8Array, expected: string, msg: string): void {
  assertEqual(toHex(actual), expected.replace(/\s+/g, ''), msg)
}

export function assertBytes(actual: Uint8Array, expected: Uint8Array, msg: string): void {
  if (actual.length !== expected.length)
    throw new Error(`${msg}: expected ${expected.length} bytes, got ${actual.length}`)
  for (let i = 0; i < actual.length; i++)
    if (actual[i] !== expected[i]) throw new Error(`${msg}: bytes differ at ${i}`)
}

/** Awaits `fn` and checks it throws an error whose `name` is `name`; returns the error. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  name: string,
  msg: string,
): Promise<Error> {
  try {
    await fn()
  } catch (err) {
    if (err instanceof Error && err.name === name) return err
    throw new Error(
      `${msg}: expected ${name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    )
  }
  throw new Error(`${msg}: expected ${name}, nothing was thrown`)
}

/** Runs checks in order and reports each (used in the browser worker). */
export async function runChecks(
  checks: Check[],
): Promise<{ name: string; ok: boolean; error?: string; ms: number }[]> {
  const out: { name: string; ok: boolean; error?: string; ms: number }[] = []
  for (const c of checks) {
    const t0 = performance.now()
    try {
      await c.run()
      out.push({ name: c.name, ok: true, ms: performance.now() - t0 })
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      out.push({ name: c.name, ok: false, error, ms: performance.now() - t0 })
    }
  }
  return out
}
