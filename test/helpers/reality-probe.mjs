// Creates as, or uses as, whatever user runs it; reports what the kernel allowed. stdin: JSON.
//   { mode: "create", umask, fileMode?, dirMode?, items: [{ file, dir }] } -> [true|false]: both were created
//   { mode: "use", items: [{ file, dir, writes }] } -> [lost bits: 1 read, 2 write, 4 create-inside, 8 delete]
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));

function ok(fn) {
  try {
    fn();
    return true;
  } catch (error) {
    if (error.code === 'EACCES' || error.code === 'EPERM') return false;
    throw error;
  }
}

let answers;
if (input.mode === 'create') {
  process.umask(input.umask);
  const fileMode = input.fileMode ?? 0o666;
  const dirMode = input.dirMode ?? 0o777;
  answers = input.items.map(({ file, dir }) => ok(() => closeSync(openSync(file, 'wx', fileMode))) && ok(() => mkdirSync(dir, dirMode)));
} else {
  answers = input.items.map(({ file, dir, writes }) => {
    let lost = 0;
    const readFile = ok(() => closeSync(openSync(file, 'r')));
    const listDir = ok(() => readdirSync(dir)) && ok(() => accessSync(dir, constants.X_OK));
    if (!readFile || !listDir) lost |= 1;
    if (writes) {
      // Writing is its own request (file_put_contents opens write-only); reading is checked above.
      if (!ok(() => closeSync(openSync(file, constants.O_WRONLY)))) lost |= 2;
      if (!ok(() => closeSync(openSync(`${dir}/made-by-${process.getuid()}`, 'wx', 0o666)))) lost |= 4;
      // Last: the file is gone afterwards.
      if (!ok(() => unlinkSync(file))) lost |= 8;
    }
    return lost;
  });
}
process.stdout.write(JSON.stringify(answers));
