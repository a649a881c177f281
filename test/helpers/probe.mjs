// Asks the kernel, as whatever user runs this script, what it allows. Input (stdin): JSON
// { mode: "access" | "delete", paths: [...] }. Output: JSON array, one answer per path.
import { accessSync, constants, lstatSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';

const { mode, paths } = JSON.parse(readFileSync(0, 'utf8'));

function allowed(fn) {
  try {
    fn();
    return true;
  } catch (error) {
    if (error.code === 'EACCES' || error.code === 'EPERM') return false;
    // rmdir of a non-empty directory fails only after the permission check passed.
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') return true;
    throw error;
  }
}

const answers = paths.map((path) => {
  if (mode === 'access') {
    return {
      read: allowed(() => accessSync(path, constants.R_OK)),
      write: allowed(() => accessSync(path, constants.W_OK)),
      execute: allowed(() => accessSync(path, constants.X_OK)),
      // One request for both, as creating in a directory asks (ACL entries must grant both at once).
      writeSearch: allowed(() => accessSync(path, constants.W_OK | constants.X_OK)),
    };
  }
  // Delete: the entry itself, not what a symlink points to.
  let isDir = false;
  try {
    isDir = lstatSync(path).isDirectory();
  } catch (error) {
    // Cannot even see it: then cannot delete it.
    if (error.code === 'EACCES') return { delete: false };
    throw error;
  }
  return { delete: allowed(() => (isDir ? rmdirSync(path) : unlinkSync(path))) };
});
process.stdout.write(JSON.stringify(answers));
