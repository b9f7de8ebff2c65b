/** Svelte 5 with runes everywhere; TypeScript in components is handled by Svelte itself. */
export default {
  compilerOptions: { runes: true },
};
