/**
 * Where the audit's worker threads load from. Relative to this module, which the build keeps at the
 * top of its output: dist/ (tsc) and dist/bundle/ (the bundle the executable runs, whose entry for the
 * worker is named audit/worker), so the same URL holds in both.
 */
export const AUDIT_WORKER = new URL('./audit/worker.js', import.meta.url);
