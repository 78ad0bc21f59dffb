/**
 * The worker's one keys service. The Service Worker/stream path (issue 5) gets the content key
 * of a card this identity may decrypt with `keys.contentKey(cardId)` (null otherwise); the key
 * stays in the worker.
 */
import { identityService } from '../crypto/handlers.ts'
import { defaultStore } from '../store/handlers.ts'
import { keysService } from './service.ts'

export const keys = keysService({ identity: identityService, store: defaultStore })
