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
    trace: 'retain-on-failure',
  },
})
