/**
 * The app's icons as inline SVG (issue #18: no emoji, which depend on the system's font):
 * 24×24 outlines drawn with `currentColor` by Icon.svelte, so they take the text's colour and
 * size.
 */
export const ICONS = {
  heart:
    'M12 20.5S3.5 15.4 3.5 9.2A4.7 4.7 0 0 1 12 6.4a4.7 4.7 0 0 1 8.5 2.8c0 6.2-8.5 11.3-8.5 11.3z',
  comment: 'M20.5 11.5a8 8 0 0 1-11.7 7.1L3.5 20.5l1.9-5a8 8 0 1 1 15.1-4z',
  eye: 'M1.5 12S5.5 5 12 5s10.5 7 10.5 7-4 7-10.5 7S1.5 12 1.5 12zM12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
  key: 'M14.5 9.5 21 3m-3 3 2.5 2.5M15.5 7 18 9.5M10 19a5 5 0 1 1 0-10 5 5 0 0 1 0 10z',
  check: 'M20 6 9 17l-5-5',
  close: 'M18 6 6 18M6 6l12 12',
  down: 'M12 4v16m-6-6 6 6 6-6',
  up: 'M12 20V4m-6 6 6-6 6 6',
  play: 'M7 4.5v15l12-7.5z',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20.5a2 2 0 0 0 4 0',
} as const

export type IconName = keyof typeof ICONS
