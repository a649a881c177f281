// node --import ./module-log.mjs: writes the URL of every module the process loads to stderr, one
// per line after "module: ", so a test can tell which of permcheck's modules a command needed. ES
// modules through a loader hook; CommonJS ones (the executable and its bundle) where the CommonJS
// loader compiles each file, once.
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function load(url, context, nextLoad) {
  process.stderr.write('module: ' + url + '\\n');
  return nextLoad(url, context);
}`),
);

const Module = createRequire(import.meta.url)('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  process.stderr.write(`module: ${pathToFileURL(filename).href}\n`);
  return compile.call(this, content, filename, ...rest);
};
