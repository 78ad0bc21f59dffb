import { mount } from 'svelte'
import { registerAllErrors } from '../shared/errors/registry.ts'
import App from './App.svelte'
import { NodeState } from './lib/node.svelte.ts'
import { pwa } from './pwa/pwa.svelte.ts'
import './app.css'

// Errors from the node worker are rebuilt into their classes (the UI matches by class).
registerAllErrors()

const node = new NodeState()
node.start()

// The Service Worker (registered here) and the install offer.
pwa.start()
// A handle for the developer console and the end-to-end tests; it holds nothing secret.
;(globalThis as unknown as { hashcard: unknown }).hashcard = { node }

mount(App, { target: document.getElementById('app')!, props: { node } })
