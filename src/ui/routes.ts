/**
 * The app's views, in match order: the first route whose pattern matches the path is shown,
 * with the pattern's named groups as `params`. Each domain adds its routes here (one entry
 * each) and keeps its view in its own folder.
 */
import type { Component } from 'svelte'
import type { NodeState } from './lib/node.svelte.ts'
import type { Router } from './lib/router.svelte.ts'
import PlayerView from './swarm/PlayerView.svelte'
import BackupView from './views/BackupView.svelte'
import HomeView from './views/HomeView.svelte'
import NodeView from './views/NodeView.svelte'
import WalletView from './wallet/WalletView.svelte'

export type RouteProps = {
  node: NodeState
  router: Router
  params: Record<string, string>
}

export type Route = {
  name: string
  pattern: RegExp
  component: Component<RouteProps>
  /** Shown in the header when set; `identity` hides it until the profile has one. */
  nav?: { label: string; href: string; order: number; identity?: boolean }
}

export const routes: Route[] = [
  {
    name: 'node',
    pattern: /^\/node\/?$/,
    component: NodeView,
    nav: { label: 'Node', href: '/node', order: 90 },
  },
  {
    name: 'backup',
    pattern: /^\/settings\/backup\/?$/,
    component: BackupView,
    nav: { label: 'Backup', href: '/settings/backup', order: 95, identity: true },
  },
  {
    name: 'wallet',
    pattern: /^\/wallet\/?$/,
    component: WalletView,
    nav: { label: 'Wallet', href: '/wallet', order: 50, identity: true },
  },
  { name: 'play', pattern: /^\/play\/(?<id>[^/]+)\/?$/, component: PlayerView },
  // The fallback: home.
  { name: 'home', pattern: /^/, component: HomeView, nav: { label: 'Home', href: '/', order: 0 } },
]

export function matchRoute(path: string): { route: Route; params: Record<string, string> } {
  for (const route of routes) {
    const m = route.pattern.exec(path)
    if (m) return { route, params: { ...(m.groups ?? {}) } }
  }
  throw new Error('no route matched (the home route matches everything)')
}
