// What whoever runs it can really do with a file and a directory another user made; stdin: JSON
//   { file, dir, replace } -> { fileRead, fileWrite, dirList, dirCreate, fileDelete }
// replace: write the file as Laravel's replace() and Symfony's dumpFile() do (a temp file beside it,
// renamed over it) instead of opening it for writing. Deleting comes last: the file is gone after.
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

const { file, dir, replace } = JSON.parse(readFileSync(0, 'utf8'));

function ok(fn) {
  try {
    fn();
    return true;
  } catch (error) {
    if (error.code === 'EACCES' || error.code === 'EPERM') return false;
    throw error;
  }
}

function replaceFile() {
  const temp = `${dirname(file)}/.replace-${process.getuid()}`;
  closeSync(openSync(temp, 'wx', 0o600));
  try {
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

const answer = {
  fileRead: ok(() => closeSync(openSync(file, 'r'))),
  dirList: dir === undefined ? true : ok(() => readdirSync(dir)) && ok(() => accessSync(dir, constants.X_OK)),
  dirCreate:
    dir === undefined
      ? true
      : ok(() => {
          const made = `${dir}/.made-by-${process.getuid()}`;
          closeSync(openSync(made, 'wx', 0o600));
          unlinkSync(made);
        }),
  fileWrite: ok(replace ? replaceFile : () => closeSync(openSync(file, constants.O_WRONLY))),
};
answer.fileDelete = ok(() => unlinkSync(file));
process.stdout.write(JSON.stringify(answer));
