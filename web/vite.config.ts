import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The console is plain Preact: its JSX is compiled by Vite's own transformer, no plugin needed.
// Everything it loads is bundled into dist/ and served by the managers (manager/api/console.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // No inlined data: URLs for assets, so the Content-Security-Policy can stay 'self'.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
