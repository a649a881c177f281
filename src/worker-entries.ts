/**
 * Where the worker threads' modules are. Relative to this module, which the build keeps at the top of
 * its output: dist/ (tsc) and dist/bundle/ (the bundle the executable runs, whose entries for the
 * workers are named audit/worker and scan/worker), so the same URLs hold in both.
 */
export const AUDIT_WORKER = new URL('./audit/worker.js', import.meta.url);
export const SCAN_WORKER = new URL('./scan/worker.js', import.meta.url);
