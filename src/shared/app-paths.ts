/**
 * The paths the app routes itself (src/ui/routes.ts). The relay answers them with index.html
 * and the Service Worker with the cached shell, so a share link, an embed or a reload on any
 * view opens the app. One list for all three; a test keeps it in step with the routes.
 */
export const APP_PATH_PREFIXES = [
  'card',
  'embed',
  'profile',
  'settings',
  'node',
  'feed',
  'compose',
  'wallet',
  'earnings',
  'spending',
  'play',
  'site',
  'watch',
  'photo',
  'read',
  'activity',
] as const

const APP_PATH = new RegExp(`^/(?:${APP_PATH_PREFIXES.join('|')})(?:/|$)`)

/** True for `/` and every path under one of the app's views. */
export function isAppPath(pathname: string): boolean {
  return pathname === '/' || APP_PATH.test(pathname)
}
