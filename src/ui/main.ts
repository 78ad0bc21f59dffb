import { mount } from 'svelte'
import { registerAllErrors } from '../shared/errors/registry.ts'
import App from './App.svelte'
import { NodeState } from './lib/node.svelte.ts'
import './app.css'

// Errors from the node worker are rebuilt into their classes (the UI matches by class).
registerAllErrors()

const node = new NodeState()
node.start()

if ('serviceWorker' in navigator) {
  // The SW is the app shell's cache (offline start) and, later, the content handler.
  navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch((err) => {
    console.warn('service worker registration failed', err)
  })
}
// A handle for the developer console and the end-to-end tests; it holds nothing secret.
;(globalThis as unknown as { hashcard: unknown }).hashcard = { node }

mount(App, { target: document.getElementById('app')!, props: { node } })
