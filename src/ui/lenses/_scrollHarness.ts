/** Test page for VirtualScroll (virtualScroll.browser.test.ts): a list, or a grid with `#grid`. */
import { mount } from 'svelte'
import ScrollHarness from './_ScrollHarness.svelte'

mount(ScrollHarness, {
  target: document.getElementById('app')!,
  props: { grid: location.hash === '#grid' },
})
