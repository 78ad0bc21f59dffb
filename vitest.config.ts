import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'relay/**/*.test.ts',
      'scripts/**/*.test.ts',
      'contracts/test/**/*.test.ts',
      'bench/**/*.test.ts',
      'fuzz/**/*.test.ts',
      'load/**/*.test.ts',
    ],
    setupFiles: ['scripts/polyfill.mjs'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine. Most
    // files wait on anvil, timers or sockets part of the time, so two share the cores well.
    maxWorkers: 2,
  },
})
