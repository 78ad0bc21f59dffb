// `node --import ./scripts/register.mjs entry.ts`: the polyfills, then TypeScript through tsx.
import './polyfill.mjs'
import { register } from 'tsx/esm/api'

register()
