import { createRequire } from 'node:module';
import { getSystemErrorMap } from 'node:util';
import type { EntryStats } from './fd.js';
import { nameOfBytes, type Name } from './name.js';

/**
 * The walk's system calls made directly, relative to the open directory: openat, statx and getdents64
 * from libc, through koffi (an FFI with prebuilt binaries from the npm registry). Node has no *at
 * calls, so without this every child is reached as /proc/self/fd/N/NAME: just as safe, but the kernel
 * resolves four more path components per call, and readdir opens the directory a second time. Measured
 * on a 100k-entry tree: the walk alone 2.2 s that way, about half through these.
 *
 * Optional: where koffi or a symbol is missing (another libc, another OS), `native()` is undefined and
 * fd.ts keeps the /proc way. PERMCHECK_NATIVE=0 forces that way, for tests that compare the two.
 */
export interface Native {
  /** lstat of NAME in the open directory, never following it; throws a Node-style errno error. */
  statAt(dirFd: number, name: Name): EntryStats;
  /** fstat of an open descriptor. */
  statFd(fd: number): EntryStats;
  /** Open a child directory without following a symlink (O_CLOEXEC: no child process inherits it). */
  openDirectoryAt(dirFd: number, name: Name, flags: number): number;
  /**
   * Close a descriptor this thread opened here and say true; false for any other, which the caller
   * closes through Node. Node tracks the descriptors its own fs opened in a worker thread (it closes
   * them when the thread ends, and warns when one it did not open is closed): each side closes its own.
   */
  release(fd: number): boolean;
  /** The names in an open directory, from its start, '.' and '..' left out; unsorted. */
  list(fd: number): Listing;
  /**
   * NAME's extended attribute in the open directory, read without following NAME or opening it
   * (getxattrat, Linux 6.13): its bytes, 'absent', 'unsupported' (the file system has none), or
   * undefined where the kernel lacks the call or the read failed otherwise (the caller's slow way).
   */
  readXattrAt(dirFd: number, name: Name, attribute: string): XattrValue;
  /** An open descriptor's extended attribute (fgetxattr), the same answers as readXattrAt. */
  readXattr(fd: number, attribute: string): XattrValue;
  /**
   * The names of an open descriptor's extended attributes (flistxattr), each followed by a NUL, as
   * Latin-1 text; undefined where the list cannot be had (too long, or any error).
   */
  listXattr(fd: number): string | undefined;
}

/** A directory's names, and which of them getdents64 said are directories (d_type; UTF-8 names only). */
export interface Listing {
  names: Name[];
  directories: ReadonlySet<string> | undefined;
}

/**
 * An extended attribute's bytes; 'absent'; 'unsupported' (the file system has none); or undefined when
 * the read failed otherwise (EACCES, ENOENT, a kernel without the call): the caller's slow way.
 */
export type XattrValue = Buffer | 'absent' | 'unsupported' | undefined;

const AT_FDCWD_EMPTY = '';
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const O_CLOEXEC = 0o2000000;
/** STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID | STATX_INO */
const STATX_WANTED = 0x11f;
const SEEK_SET = 0;
/**
 * getxattrat(2): 464 in the unified table that every architecture Node runs on shares for calls this new
 * (not alpha or mips, where the number is something else or nothing: the call then fails as missing).
 */
const SYS_GETXATTRAT = 464;
/** The largest value an extended attribute may have (include/uapi/linux/limits.h). */
const XATTR_SIZE_MAX = 65536;
const ENOENT = 2;
const ENODATA = 61;
const ENOTSUP = 95;
const ENOSYS = 38;
const EPERM = 1;

// struct statx is the same on every architecture (include/uapi/linux/stat.h).
const STX_NLINK = 16;
const STX_UID = 20;
const STX_GID = 24;
const STX_MODE = 28;
const STX_INO = 32;
const STX_DEV_MAJOR = 136;
const STX_DEV_MINOR = 140;

// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, then the name.
const DIRENT_RECLEN = 16;
const DIRENT_TYPE = 18;
const DIRENT_NAME = 19;
const DT_DIR = 4;

let loaded: Native | null | undefined;

/** The native calls, loaded once per thread; undefined where they cannot be had. */
export function native(): Native | undefined {
  if (loaded === undefined) loaded = process.env.PERMCHECK_NATIVE === '0' ? null : bind();
  return loaded ?? undefined;
}

interface Koffi {
  load(path: string): { func(definition: string): (...args: unknown[]) => unknown };
  errno(): number;
  alloc(type: string, length: number): unknown;
  address(pointer: unknown): bigint;
  view(pointer: unknown, length: number): ArrayBuffer;
}

function bind(): Native | null {
  if (process.platform !== 'linux') return null;
  let koffi: Koffi;
  let libc: ReturnType<Koffi['load']>;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
    libc = koffi.load('libc.so.6');
  } catch {
    return null;
  }
  try {
    return makeNative(koffi, libc);
  } catch {
    // A libc without statx or getdents64 (glibc before 2.30): the /proc way.
    return null;
  }
}

function makeNative(koffi: Koffi, libc: ReturnType<Koffi['load']>): Native {
  const openat = libc.func('int openat(int dirfd, const char *path, int flags, int mode)') as (
    d: number,
    p: Path,
    f: number,
    m: number,
  ) => number;
  const statx = libc.func('int statx(int dirfd, const char *path, int flags, unsigned int mask, void *buf)') as (
    d: number,
    p: Path,
    f: number,
    m: number,
    b: Buffer,
  ) => number;
  const getdents = libc.func('long getdents64(int fd, void *buf, size_t size)') as (fd: number, b: Buffer, n: number) => number;
  const close = libc.func('int close(int fd)') as (fd: number) => number;
  const lseek = libc.func('long lseek(int fd, long offset, int whence)') as (fd: number, o: number, w: number) => number;
  // syscall() is variadic; its arguments here are all integers or pointers, passed in registers alike.
  const getxattrat = libc.func(
    'long syscall(long nr, int dirfd, const char *path, unsigned int flags, const char *name, void *args, size_t size)',
  ) as (nr: number, d: number, p: Path, f: number, n: string, a: Buffer, s: number) => number;

  const fgetxattr = libc.func('long fgetxattr(int fd, const char *name, void *value, size_t size)') as (
    fd: number,
    n: string,
    v: unknown,
    s: number,
  ) => number;
  const flistxattr = libc.func('long flistxattr(int fd, void *list, size_t size)') as (fd: number, l: unknown, s: number) => number;

  const statBuffer = Buffer.alloc(256);
  const direntBuffer = Buffer.alloc(64 * 1024);
  // struct xattr_args { u64 value; u32 size; u32 flags }, its value in memory koffi allocated (it does
  // not move, as a Buffer's might), as large as an xattr can be: never ERANGE.
  const xattrValue = koffi.alloc('uint8_t', XATTR_SIZE_MAX);
  const xattrArgs = Buffer.alloc(16);
  xattrArgs.writeBigUInt64LE(koffi.address(xattrValue), 0);
  xattrArgs.writeUInt32LE(XATTR_SIZE_MAX, 8);
  let getxattratMissing = false;
  const opened = new Set<number>();
  // Directories opened here and not listed yet: at offset 0 already, so list() need not lseek.
  const unread = new Set<number>();
  /** A read into xattrValue: its bytes, or what errno says. */
  const xattrRead = (size: number): XattrValue =>
    size >= 0 ? Buffer.from(new Uint8Array(koffi.view(xattrValue, size))) : presence(koffi.errno());

  const decode = (): EntryStats => ({
    mode: statBuffer.readUInt16LE(STX_MODE),
    uid: statBuffer.readUInt32LE(STX_UID),
    gid: statBuffer.readUInt32LE(STX_GID),
    nlink: statBuffer.readUInt32LE(STX_NLINK),
    ino: statBuffer.readUInt32LE(STX_INO) + statBuffer.readUInt32LE(STX_INO + 4) * 2 ** 32,
    dev: makedev(statBuffer.readUInt32LE(STX_DEV_MAJOR), statBuffer.readUInt32LE(STX_DEV_MINOR)),
  });

  const fail = (syscall: string, name: Name): never => {
    throw errnoError(koffi.errno(), syscall, typeof name === 'string' ? name : name.display);
  };

  return {
    statAt(dirFd, name) {
      // Without AT_NO_AUTOMOUNT, as Node's lstat calls statx: an automount point not yet mounted is
      // mounted here, so lstat sees what openat will open (with the flag, they differ: a false race).
      if (statx(dirFd, cPath(name), AT_SYMLINK_NOFOLLOW, STATX_WANTED, statBuffer) !== 0) fail('lstat', name);
      return decode();
    },
    statFd(fd) {
      if (statx(fd, AT_FDCWD_EMPTY, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_WANTED, statBuffer) !== 0) fail('fstat', String(fd));
      return decode();
    },
    openDirectoryAt(dirFd, name, flags) {
      const fd = openat(dirFd, cPath(name), flags | O_CLOEXEC, 0);
      if (fd < 0) fail('open', name);
      opened.add(fd);
      unread.add(fd);
      return fd;
    },
    release(fd) {
      if (!opened.delete(fd)) return false;
      unread.delete(fd);
      close(fd);
      return true;
    },
    list(fd) {
      // A descriptor listed before (or opened elsewhere) may be anywhere in its directory.
      if (!unread.delete(fd) && lseek(fd, 0, SEEK_SET) < 0) fail('lseek', String(fd));
      const names: Name[] = [];
      let directories: Set<string> | undefined;
      for (;;) {
        const got = getdents(fd, direntBuffer, direntBuffer.length);
        // A directory removed while open lists ENOENT: its end, as glibc's readdir (and POSIX) has it.
        if (got === 0 || (got < 0 && koffi.errno() === ENOENT)) return { names, directories };
        if (got < 0) fail('scandir', String(fd));
        for (let offset = 0; offset < got;) {
          const end = direntBuffer.indexOf(0, offset + DIRENT_NAME);
          const name = nameOf(direntBuffer, offset + DIRENT_NAME, end);
          if (name !== '.' && name !== '..') {
            names.push(name);
            if (direntBuffer[offset + DIRENT_TYPE] === DT_DIR && typeof name === 'string') (directories ??= new Set()).add(name);
          }
          offset += direntBuffer.readUInt16LE(offset + DIRENT_RECLEN);
        }
      }
    },
    readXattrAt(dirFd, name, attribute) {
      if (getxattratMissing) return undefined;
      const read = xattrRead(
        Number(getxattrat(SYS_GETXATTRAT, dirFd, cPath(name), AT_SYMLINK_NOFOLLOW, attribute, xattrArgs, xattrArgs.length)),
      );
      // ENOSYS: a kernel before 6.13. EPERM: a seccomp profile that forbids calls it does not know
      // (older container runtimes). Either way the slow path from now on, not a wasted call per file.
      const errno = read === undefined ? koffi.errno() : 0;
      if (errno === ENOSYS || errno === EPERM) getxattratMissing = true;
      return read;
    },
    readXattr(fd, attribute) {
      return xattrRead(Number(fgetxattr(fd, attribute, xattrValue, XATTR_SIZE_MAX)));
    },
    listXattr(fd) {
      // The buffer is as large as a list may be (XATTR_LIST_MAX): ERANGE only if that ever grows.
      const size = Number(flistxattr(fd, xattrValue, XATTR_SIZE_MAX));
      if (size <= 0) return size === 0 ? '' : undefined;
      // Decoded straight from koffi's memory: the text is the copy (most directories list nothing).
      return Buffer.from(koffi.view(xattrValue, size)).toString('latin1');
    },
  };
}

/** A failed read: no such attribute, or none on this file system; anything else (EACCES, ENOENT) is
 * left to the caller's slow way, which meets the error there. */
function presence(errno: number): 'absent' | 'unsupported' | undefined {
  if (errno === ENODATA) return 'absent';
  if (errno === ENOTSUP) return 'unsupported';
  return undefined;
}

type Path = string | Buffer;

/** A name as libc takes it: a JS string (koffi encodes it), or the raw bytes with their NUL. */
function cPath(name: Name): Path {
  return typeof name === 'string' ? name : Buffer.concat([name.bytes, Buffer.of(0)]);
}

/** A name from the dirent buffer: decoded in place, its bytes copied only when they are not UTF-8. */
function nameOf(buffer: Buffer, start: number, end: number): Name {
  const display = buffer.toString('utf8', start, end);
  return display.includes('\ufffd') ? nameOfBytes(buffer.subarray(start, end)) : display;
}

/** glibc's makedev, which Node applies to statx's major and minor: Stats.dev compares equal. */
function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 0x100 + (minor & 0xff) + (minor & 0xffffff00) * 0x1000 + (major & 0xfffff000) * 2 ** 32;
}

const errorMap = getSystemErrorMap();

/** The error Node's fs would have thrown: same code and errno, so every caller treats it alike. */
function errnoError(errno: number, syscall: string, path: string): NodeJS.ErrnoException {
  const [code, description] = errorMap.get(-errno) ?? [`E${errno}`, 'unknown error'];
  const error: NodeJS.ErrnoException = new Error(`${code}: ${description}, ${syscall} '${path}'`);
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  error.path = path;
  return error;
}
