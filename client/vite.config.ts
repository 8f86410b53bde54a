import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { onBuildWarning } from './build-warnings.js';

const root = import.meta.dirname;

/** Builds the dashboard (index.html) and the GraphiQL playground (playground.html) into client/dist. */
export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // GraphiQL's editor (monaco) is large by nature; the playground page imports it lazily, and the
    // dashboard page never.
    chunkSizeWarningLimit: 5_000,
    rollupOptions: {
      onwarn: onBuildWarning,
      input: { dashboard: resolve(root, 'index.html'), playground: resolve(root, 'playground.html') },
    },
  },
  worker: { format: 'es' },
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
