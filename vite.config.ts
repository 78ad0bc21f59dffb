import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig, type Plugin } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

/**
 * simple-peer, inside webtorrent's prebuilt bundle, stops writing to a data channel while its
 * `bufferedAmount` is over a fixed 64 KiB and resumes at `bufferedamountlow` with the same
 * threshold: with 64 KiB blocks (src/node/swarm/constants.ts) one message fills that, and the
 * seeder's pipe idles between events. Measured in `npm run bench -- stream`, see the README.
 * The bundle is vendored as npm ships it (node_modules stays untouched: the benchmark's stock
 * webtorrent baseline serves that file); this rewrites the one constant in the app's copy, and
 * fails the build if a new webtorrent release no longer has it.
 */
export const SIMPLE_PEER_BUFFER_BYTES = 1024 * 1024

function simplePeerBuffer(bytes: number): Plugin {
  const pattern = /(\("simple-peer"\),\w+=)65536\b/g
  return {
    name: 'hashcard:simple-peer-buffer',
    transform(code, id) {
      if (!/webtorrent[\\/]dist[\\/]webtorrent\.min\.js$/.test(id)) return null
      const hits = code.match(pattern)?.length ?? 0
      if (hits !== 1)
        this.error(`simple-peer's MAX_BUFFERED_AMOUNT: expected 1 match in ${id}, found ${hits}`)
      return { code: code.replace(pattern, `$1${bytes}`), map: null }
    },
  }
}

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es', plugins: () => [simplePeerBuffer(SIMPLE_PEER_BUFFER_BYTES)] },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
})
