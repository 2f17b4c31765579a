// Vite build of the Weibao web UI. Output: dist/index.html + hashed files in
// dist/assets/, embedded into the weibao binary by CMake.
//
// CSP (src/http/server.c) forbids inline scripts and eval, so:
//  - vue-i18n runs its runtime-only build with messages precompiled at build
//    time by @intlify/unplugin-vue-i18n (no message compiler, no new Function);
//  - Element Plus components are imported on demand (unplugin-vue-components)
//    so that the field pages load only what they use.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import VueI18nPlugin from '@intlify/unplugin-vue-i18n/vite'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    Components({
      dts: false,
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
    VueI18nPlugin({
      include: [fileURLToPath(new URL('./src/locales/**', import.meta.url))],
      runtimeOnly: true,
      compositionOnly: true,
      fullInstall: false,
      strictMessage: true,
      escapeHtml: false,
    }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    // every asset is a file under assets/ (no data: URLs needed)
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        // shared chunks of Element Plus are named after their style module
        // ("css"); call them what they are
        chunkFileNames: (c) => (c.name === 'css' ? 'assets/chunk-[hash].js' : 'assets/[name]-[hash].js'),
        assetFileNames: (a) =>
          /^css\./.test((a.names && a.names[0]) || a.name || '')
            ? 'assets/chunk-[hash][extname]'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a local `weibao serve`
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
