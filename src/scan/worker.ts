import { parentPort, workerData } from 'node:worker_threads';
import { emptyResult, FileScanner, type ScanSetup } from './scan-files.js';
import type { ScanResult } from './types.js';

/** Main thread -> worker: files to scan, or the end. Worker -> main: one result per chunk. */
export type ScanRequest = { files: (string | Uint8Array)[] } | { done: true };
export type ScanReply = { result: ScanResult };

const scanner = new FileScanner(workerData as ScanSetup);
parentPort!.on('message', (request: ScanRequest) => {
  if ('done' in request) {
    parentPort!.close();
    return;
  }
  const result = emptyResult();
  for (const rel of request.files) scanner.scanFile(rel, result);
  parentPort!.postMessage({ result } satisfies ScanReply);
});
