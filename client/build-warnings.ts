import type { Rollup } from 'vite';

/**
 * Rollup's `onwarn` for the browser bundle: drops the warnings known to be harmless here and hands
 * every other one to Vite's own handler, which prints it.
 *
 * Dropped: MODULE_LEVEL_DIRECTIVE from dependencies. GraphiQL's packages (and others written for React
 * Server Components or the React Compiler) open their files with "use client" or "use no memo". Those
 * mark a client component for a server-components bundler, or opt a file out of a compiler this
 * build does not run; this bundle is client-only, so removing them changes nothing. The same
 * directive in our own sources is still reported: there it would be a mistake.
 */
export const onBuildWarning: Rollup.WarningHandlerWithDefault = (warning, forward) => {
  if (isHarmless(warning)) return;
  forward(warning);
};

export function isHarmless(warning: Rollup.RollupLog): boolean {
  return warning.code === 'MODULE_LEVEL_DIRECTIVE' && /[/\\]node_modules[/\\]/.test(warning.id ?? '');
}
