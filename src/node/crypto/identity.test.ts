import 'fake-indexeddb/auto'
import { describe, it } from 'vitest'
import { identityChecks } from './_identity.checks.ts'

describe('identity, backup and key wrapping', () => {
  for (const c of identityChecks) it(c.name, c.run)
})
