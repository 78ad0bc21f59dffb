import { describe, it } from 'vitest'
import { contentChecks } from './_content.checks.ts'

describe('slice AEAD and streaming decrypt', () => {
  for (const c of contentChecks) it(c.name, c.run)
})
