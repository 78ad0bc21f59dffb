import { defineConfig } from '@playwright/test'
import { chromiumLaunchOptions } from './e2e/browser.ts'

/**
 * End-to-end tests: real Chromium contexts (each a person with its own node) against a real
 * anvil, relay and app started per test file (e2e/stack.ts). Serial: each test already runs
 * several browser contexts on a 2-core machine.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    launchOptions: chromiumLaunchOptions(),
    // A failed test keeps its trace: each action with its call log and timing, the console,
    // the errors, the sources. Not the screencast nor the DOM snapshots, which record every
    // response's body too (each video the nodes stream). lenses.spec's CPU, 2026-12-06 at load
    // 7–8: 50.7 s with them, 43.0 s with this trace, 38.5 s with no trace.
    trace: { mode: 'retain-on-failure', screenshots: false, snapshots: false },
  },
})
