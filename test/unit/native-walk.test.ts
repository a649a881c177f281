import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, openSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryAcls, entryAcl } from '../../src/walk/acl-read.js';
import { close, DIRECTORY_FLAGS, listNames, lstatAt, openDirectory, openDirectoryAt, statFd, type Name } from '../../src/walk/fd.js';
import { native } from '../../src/walk/native.js';
import { runCli, runCliJson } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const hasSetfacl = spawnSync('setfacl', ['--version']).status === 0;
const bytesOf = (name: Name) => Buffer.from(typeof name === 'string' ? name : name.bytes);

/**
 * The walk's system calls through libc (openat, statx, getdents64, getxattrat) must see exactly what
 * Node's own calls through /proc/self/fd see: the same names in the same order, the same fields
 * (dev above all: the race checks compare a statx dev with a Node one), the same errors.
 */
describe('the native walk calls agree with Node', () => {
  const tmp = makeTempDir('permcheck-native-');
  afterAll(() => tmp.cleanup());
  let dir: string;

  beforeAll(() => {
    dir = join(tmp.path, 'd');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'plain.php'), '');
    writeFileSync(join(dir, 'ok é'), '');
    writeFileSync(Buffer.from([...Buffer.from(`${dir}/`), 0xff, 0x78]), '');
    mkdirSync(Buffer.from([...Buffer.from(`${dir}/`), 0xff, 0xfe, 0x64]));
    symlinkSync('/etc', join(dir, 'link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    // A FIFO whose name is not UTF-8 (bytes fe 66), with an ACL where setfacl is installed: neither
    // binding can reach it by path, and a FIFO is never opened.
    const acl = hasSetfacl ? ` && setfacl -m u:65534:w "$1"/$'\\xfe'f` : '';
    execFileSync('bash', ['-c', `mkfifo "$1"/$'\\xfe'f${acl}`, 'bash', dir]);
    if (hasSetfacl) {
      execFileSync('setfacl', ['-m', 'u:65534:r', join(dir, 'ok é')]);
      execFileSync('setfacl', ['-d', '-m', 'u:65534:rx', join(dir, 'sub')]);
      mkdirSync(join(dir, 'both'));
      execFileSync('setfacl', ['-m', 'u:65534:rwx,g:65534:rx', '-d', '-m', 'u:65534:rx', join(dir, 'both')]);
    }
  });

  it('is in use on Linux with glibc, where koffi has a prebuilt binary', () => {
    // Without it every walk quietly takes the /proc way: twice as slow, and this suite would compare
    // that way with itself.
    if (process.platform !== 'linux') return;
    expect(native()).toBeDefined();
  });

  it('lists the same names in the same order, with the bytes of names that are not UTF-8', () => {
    const fd = openDirectory(dir);
    try {
      const { names, directories } = listNames(fd);
      const expected = readdirSync(dir, { encoding: 'buffer' }).map((b) => b.toString('hex'));
      expect(names.map((n) => bytesOf(n).toString('hex')).sort()).toEqual(expected.sort());
      expect(names.filter((n) => typeof n !== 'string')).toHaveLength(3);
      // Listed again on the same descriptor: from the start, not from where the last listing ended.
      expect(listNames(fd).names).toEqual(names);
      // What getdents64 says are directories (the walk opens them without an lstat first); a name
      // that is not UTF-8 is left to the lstat.
      if (native()) expect([...(directories ?? [])].sort()).toEqual(hasSetfacl ? ['both', 'sub'] : ['sub']);
      else expect(directories).toBeUndefined();
      for (const name of names) {
        const seen = lstatAt(fd, name);
        const node = lstatSync(Buffer.concat([Buffer.from(`${dir}/`), bytesOf(name)]));
        expect({ ...seen }, String(name)).toEqual({
          mode: node.mode,
          uid: node.uid,
          gid: node.gid,
          dev: node.dev,
          ino: node.ino,
          nlink: node.nlink,
        });
      }
      const self = statFd(fd);
      expect([self.dev, self.ino]).toEqual([lstatSync(dir).dev, lstatSync(dir).ino]);
    } finally {
      close(fd);
    }
  });

  it('lists a directory it opened itself from the start, the first time and again', () => {
    const fd = openDirectory(dir);
    try {
      const sub = openDirectoryAt(fd, 'sub');
      try {
        writeFileSync(join(dir, 'sub', 'x'), '');
        expect(listNames(sub).names).toEqual(['x']);
        expect(listNames(sub).names).toEqual(['x']);
      } finally {
        close(sub);
      }
    } finally {
      close(fd);
    }
  });

  // Listed in several getdents64 reads (their buffer holds 64 KiB of names): every name, and every
  // directory marked as one, whichever read it came in.
  it('lists a directory larger than one read whole, with its directories, the first time and again', () => {
    const big = join(tmp.path, 'big');
    mkdirSync(big);
    const pad = 'x'.repeat(40);
    const dirs = Array.from({ length: 1500 }, (_, i) => `d${i}-${pad}`);
    const files = Array.from({ length: 1500 }, (_, i) => `f${i}-${pad}`);
    for (const name of dirs) mkdirSync(join(big, name));
    for (const name of files) writeFileSync(join(big, name), '');
    const fd = openDirectory(tmp.path);
    try {
      const opened = openDirectoryAt(fd, 'big');
      try {
        const { names, directories } = listNames(opened);
        expect(names).toEqual([...dirs, ...files].sort());
        if (native()) expect([...(directories ?? [])].sort()).toEqual([...dirs].sort());
        expect(listNames(opened).names).toEqual(names);
      } finally {
        close(opened);
      }
    } finally {
      close(fd);
    }
  });

  it('gives the errors Node gives: ENOENT for a name that is gone, ENOTDIR for a symlink, a file or a FIFO', () => {
    const fd = openDirectory(dir);
    // What Node's own open says through /proc, for the same flags.
    const nodeCode = (name: string) => {
      try {
        close(openSync(`/proc/self/fd/${fd}/${name}`, DIRECTORY_FLAGS));
        return 'opened';
      } catch (error) {
        return (error as NodeJS.ErrnoException).code;
      }
    };
    try {
      expect(() => lstatAt(fd, 'gone')).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'lstat' }));
      for (const name of ['link', 'plain.php', 'fifo', 'gone']) {
        // O_NOFOLLOW with O_DIRECTORY: a symlink is "not a directory"; a FIFO is never opened, so no hang.
        expect(() => openDirectoryAt(fd, name), name).toThrow(expect.objectContaining({ code: nodeCode(name) }));
      }
      expect(nodeCode('link')).toBe('ENOTDIR');
    } finally {
      close(fd);
    }
  });

  it.skipIf(!hasSetfacl)('finds the ACLs a file and a directory have, and none where there are none', () => {
    const fd = openDirectory(dir);
    try {
      expect(entryAcl(fd, 'ok é', true)).toMatchObject({ users: [{ id: 65534, perm: 4 }] });
      expect(entryAcl(fd, 'plain.php', true)).toBeUndefined();
      const sub = openDirectoryAt(fd, 'sub');
      try {
        expect(directoryAcls(sub).defaultAcl).toMatchObject({ users: [{ id: 65534, perm: 5 }] });
        expect(directoryAcls(sub).acl).toBeUndefined();
      } finally {
        close(sub);
      }
      expect(directoryAcls(fd)).toEqual({ acl: undefined, defaultAcl: undefined, supported: true });
      const both = openDirectoryAt(fd, 'both');
      try {
        const expected = {
          acl: { users: [{ id: 65534, perm: 7 }], groups: [{ id: 65534, perm: 5 }] },
          defaultAcl: { users: [{ id: 65534, perm: 5 }] },
          supported: true,
        };
        expect(directoryAcls(both)).toMatchObject(expected);
        // Given the device, as the walk asks: its first directory by name, the others by their
        // attribute list first (one call where there is no ACL): the same answers.
        const dev = statFd(fd).dev;
        expect(directoryAcls(fd, dev)).toEqual({ acl: undefined, defaultAcl: undefined, supported: true });
        expect(directoryAcls(both, dev)).toMatchObject(expected);
        expect(directoryAcls(fd, dev)).toEqual({ acl: undefined, defaultAcl: undefined, supported: true });
        expect(directoryAcls(both, dev)).toMatchObject(expected);
      } finally {
        close(both);
      }
    } finally {
      close(fd);
    }
  });

  // procfs has no ACLs: the walk says so once for the file system, and no entry's ACL is "unknown".
  it.skipIf(!existsSync('/proc/sys/fs'))('counts a file system without ACLs once, through libc and through /proc alike', () => {
    for (const env of [{}, { PERMCHECK_NATIVE: '0' }]) {
      const { result, json } = runCliJson(['audit', '/proc/sys/fs', '--ignore-ancestors', '--fail-on', 'never', '--format', 'json'], {
        env: { ...process.env, ...env },
      });
      expect(result.code).toBe(0);
      expect(json.summary).toMatchObject({ aclUnsupportedDevices: 1, aclUnknown: 0 });
    }
  });

  // getxattrat (Linux 6.13) reads an ACL relative to the directory, without opening the entry.
  const [major = 0, minor = 0] = release().split('.').map(Number);
  it.skipIf(!hasSetfacl || major * 100 + minor < 613)('reads the ACL of a FIFO whose name is not UTF-8, without opening it', () => {
    const fd = openDirectory(dir);
    try {
      const fifo = listNames(fd).names.find((n) => typeof n !== 'string' && Buffer.from(n.bytes).equals(Buffer.from([0xfe, 0x66])))!;
      expect(fifo).toBeDefined();
      expect(entryAcl(fd, fifo, false)).toMatchObject({ users: [{ id: 65534, perm: 2 }] });
    } finally {
      close(fd);
    }
  });

  it('closes what it opened in worker threads without a warning from Node', () => {
    const { code, stderr } = runCli(['audit', dir, '--jobs', '2', '--format', 'json', '--preset', 'generic']);
    expect(stderr).toBe('');
    expect(code === 0 || code === 1).toBe(true);
  });
});
