// node --import ./module-log.mjs: writes the URL of every module the process loads to stderr, one
// per line after "module: ", so a test can tell which of permcheck's modules a command needed.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function load(url, context, nextLoad) {
  process.stderr.write('module: ' + url + '\\n');
  return nextLoad(url, context);
}`),
);
