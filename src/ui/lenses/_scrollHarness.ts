/**
 * Test page for VirtualScroll (virtualScroll.browser.test.ts): a list, a grid with `#grid`, a
 * list that gets its items later with `#empty`.
 */
import { mount } from 'svelte'
import ScrollHarness from './_ScrollHarness.svelte'

mount(ScrollHarness, {
  target: document.getElementById('app')!,
  props: { grid: location.hash === '#grid', empty: location.hash === '#empty' },
})
