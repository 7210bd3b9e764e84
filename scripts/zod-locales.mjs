// What bundles get for zod's `locales` namespace: English only (see esbuild-plugins.cjs).
export { default as en } from 'zod/v4/locales/en.js';
