/**
 * The page's Web Storage where it can be used: reading `localStorage` or `sessionStorage`
 * throws in a third-party frame with storage blocked (the embed), and the page must still load.
 */

/** This origin's localStorage, or null. */
export function localStore(): Storage | null {
  try {
    return globalThis.localStorage ?? null
  } catch {
    return null
  }
}

/** This tab's sessionStorage, or null. */
export function sessionStore(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null
  } catch {
    return null
  }
}
