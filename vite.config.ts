import { svelte } from '@sveltejs/vite-plugin-svelte'
import { build, defineConfig, type Plugin } from 'vite'
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

/**
 * A packaged site's origin gets two scripts of its own, served by the relay at `/__hc/`
 * (relay/http.ts): its Service Worker (src/sw/site/sw.ts) and the bootstrap page's script
 * (src/ui/site/boot.ts). Each is built here, after the app, as one self-contained file with a
 * fixed name: a Service Worker script cannot load the app's hashed chunks from another origin.
 */
function siteScripts(): Plugin {
  let outDir = 'dist'
  return {
    name: 'hashcard:site-scripts',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir
    },
    async closeBundle() {
      for (const [name, entry] of [
        ['sw', 'src/sw/site/sw.ts'],
        ['boot', 'src/ui/site/boot.ts'],
      ] as const)
        await build({
          configFile: false,
          logLevel: 'warn',
          publicDir: false,
          build: {
            outDir: `${outDir}/__hc`,
            emptyOutDir: false,
            target: 'es2022',
            sourcemap: true,
            lib: {
              entry,
              formats: ['iife'],
              name: `hashcard_${name}`,
              fileName: () => `${name}.js`,
            },
          },
        })
    },
  }
}

/**
 * The first paint's stylesheets go into index.html as `<style>` (issue #18): a `<link>` blocks
 * rendering until its own request returns, and on a phone's connection that round trip is most
 * of the first paint. They are a few KB; the CSP admits inline styles ('unsafe-inline'). Views
 * loaded later still bring their CSS as files.
 */
function inlineEntryCss(): Plugin {
  return {
    name: 'hashcard:inline-entry-css',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return html
        return html.replace(
          /<link rel="stylesheet"[^>]*href="\/([^"]+\.css)"[^>]*>/g,
          (tag, file: string) => {
            const asset = bundle[file]
            if (asset?.type !== 'asset') return tag
            return `<style>${String(asset.source)}</style>`
          },
        )
      },
    },
  }
}

/**
 * V8's explicit compile hint (Chromium 136+) on the first line of the app's entry chunk: every
 * function of the shell is compiled while the script streams in, off the main thread, instead
 * of on the main thread at its first call. Lazy compiling was much of the cost of the first
 * render of each part of the page when the node answers (issue #18, Lighthouse's total
 * blocking time). Views' chunks stay lazy. Runs after Vite's own changes to the chunk (its
 * preload map goes on the first line too), and moves the source map down a line.
 */
function compileHints(): Plugin {
  const hint = '//# allFunctionsCalledOnLoad'
  return {
    name: 'hashcard:compile-hints',
    apply: 'build',
    enforce: 'post',
    augmentChunkHash: (chunk) => (chunk.isEntry ? hint : undefined),
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const chunk of Object.values(bundle)) {
          if (chunk.type !== 'chunk' || !chunk.isEntry) continue
          chunk.code = `${hint}\n${chunk.code}`
          if (chunk.map) chunk.map.mappings = `;${chunk.map.mappings}`
          const map = bundle[`${chunk.fileName}.map`]
          if (map?.type === 'asset' && chunk.map) map.source = chunk.map.toString()
        }
      },
    },
  }
}

export default defineConfig({
  plugins: [
    svelte(),
    siteScripts(),
    inlineEntryCss(),
    compileHints(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        // A site origin's own scripts (siteScripts): not the app shell's. The manifest's
        // screenshots are shown only by the browser's install dialog, which is online.
        globIgnores: ['__hc/**', 'screenshots/**'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
      },
      devOptions: { enabled: false },
    }),
  ],
  worker: { format: 'es', plugins: () => [simplePeerBuffer(SIMPLE_PEER_BUFFER_BYTES)] },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      output: {
        // Everything the first paint imports statically in one chunk (issue #18): left alone,
        // rolldown cuts it into ~25 shared chunks, each its own request before the first paint
        // (over HTTP/1.1, six at a time). Views stay chunks loaded when first shown (routes.ts).
        codeSplitting: { groups: [{ name: 'shell', tags: ['$initial'] }] },
      },
    },
  },
})
