import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** Builds the dashboard (index.html) and the GraphiQL playground (playground.html) into client/dist. */
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // GraphiQL's editor (monaco) is large by nature; it loads only on the playground page.
    chunkSizeWarningLimit: 5_000,
    rollupOptions: {
      input: { dashboard: resolve(root, 'index.html'), playground: resolve(root, 'playground.html') },
    },
  },
  worker: { format: 'es' },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
