import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

// Built by `npm run build:web`; the server serves web/dist with an SPA fallback.
export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      // janus-gateway's ES build keeps a UMD test for `module`; in the browser it takes the window branch.
      onwarn(warning, warn) {
        if (warning.code === 'COMMONJS_VARIABLE_IN_ESM' && warning.id?.includes('janus-gateway')) return;
        warn(warning);
      },
    },
  },
  server: {
    // `vite --config web/vite.config.ts` during development, with the API on :3000.
    proxy: { '/api': { target: process.env.WM_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
