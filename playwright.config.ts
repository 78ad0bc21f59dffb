import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './e2e/browser.ts'

/**
 * Spec files whose assertions measure time or throughput (a rate cap, a seek's latency, a
 * killed seeder noticed within 2.5 s, a heap ceiling during a 200 MiB download, timed
 * announcements, relay restarts, a join within 30 s of one) or that move the most bytes: they run one at a time, after
 * the rest, so nothing else shares the 2 cores with them.
 */
const ALONE = [
  'node.spec.ts',
  'stream.spec.ts',
  'health.spec.ts',
  'sites.spec.ts',
  'network.spec.ts',
  'pay.spec.ts',
  'drills.spec.ts',
].map((f) => `**/${f}`)

/**
 * End-to-end tests: real Chromium contexts (each a person with its own node) against a real
 * anvil, relay and app started per test file (e2e/stack.ts). Tests inside a file run in order.
 * The other files run two at a time: they mostly wait on the chain, gossip and the UI, so a
 * second file fills the idle CPU; then the `alone` files run serially.
 */
export default defineConfig({
  testDir: 'e2e',
  workers: 2,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'shared', testMatch: '**/*.spec.ts', testIgnore: ALONE },
    { name: 'alone', testMatch: ALONE, workers: 1, dependencies: ['shared'] },
  ],
})
