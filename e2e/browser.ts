import type { LaunchOptions } from '@playwright/test'

/**
 * Debian's Chromium (Playwright cannot download browsers here); `CHROMIUM_PATH` overrides it.
 * The flags keep it quiet on a closed network (PLATFORM.md).
 */
export function chromiumLaunchOptions(extraArgs: string[] = []): LaunchOptions {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  }
}
