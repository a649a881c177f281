// The scan for modes hard-coded in PHP (issue 13): what the audit's rule and the predictions use.
export { scanPhpModes } from './scan.js';
export { analyzePhp, type FileAnalysis } from './analyze.js';
export { describeModeSite, resultingMode, type AdviceContext, type ModeSiteAdvice } from './meaning.js';
export type * from './types.js';
