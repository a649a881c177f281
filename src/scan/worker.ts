import { parentPort, workerData } from 'node:worker_threads';
import { emptyResult, FileScanner, type ScanSetup } from './scan-files.js';
import type { ScanResult } from './types.js';
import type { Unit } from './units.js';

/** Main thread -> worker: units to scan, or the end. Worker -> main: one result per batch. */
export type ScanRequest = { units: Unit[] } | { done: true };
export type ScanReply = { result: ScanResult };

const scanner = new FileScanner(workerData as ScanSetup);
parentPort!.on('message', (request: ScanRequest) => {
  if ('done' in request) {
    parentPort!.close();
    return;
  }
  const result = emptyResult();
  for (const unit of request.units) scanner.scanUnit(unit, result);
  parentPort!.postMessage({ result } satisfies ScanReply);
});
