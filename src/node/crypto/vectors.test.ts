import { describe, it } from 'vitest'
import { vectorChecks } from './_vectors.checks.ts'

describe('published vectors', () => {
  for (const c of vectorChecks) it(c.name, c.run)
})
