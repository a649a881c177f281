import { closeSync, constants, openSync, statfsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decodeAcl, accessAclOf, defaultAclOf, ACCESS_XATTR, DEFAULT_XATTR } from '../acl/xattr.js';
import type { AccessAcl, DefaultAcl } from '../acl/types.js';
import { at, type Name } from './fd.js';
import { native } from './native.js';

/**
 * Reading POSIX ACLs, at the I/O edge. Directories: through the descriptor the walk holds (fgetxattr,
 * through libc where native.ts can call it, else fs-native-extensions), which also says when a file
 * system does not support ACLs; on local file systems, after the device's first directory, the
 * attribute list is read first (flistxattr) and the ACLs only when it names one. Other entries:
 * relative to their directory without following them (getxattrat, Linux 6.13), else by
 * /proc/self/fd/DIR/NAME (@napi-rs/xattr, lgetxattr); neither needs an open file or read permission.
 * The bindings are optional: without them ACLs are "unknown".
 */

interface FdXattr {
  getAttrSync(fd: number, name: string): Buffer | null;
  setAttrSync(fd: number, name: string, value: Uint8Array): void;
}
interface PathXattr {
  getAttributeSync(path: string, name: string): Buffer | null;
}

export type AclStatus = { state: 'read' } | { state: 'unknown'; reason: string };

interface Bindings {
  fd: FdXattr | undefined;
  path: PathXattr | undefined;
  failure: string | undefined;
}

let bindings: Bindings | undefined;

/** The xattr bindings, loaded once; permcheck fix writes ACLs through the descriptor one. */
export function load(): Bindings {
  if (bindings) return bindings;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  const attempt = <T>(id: string): T | undefined => {
    try {
      return require(id) as T;
    } catch (error) {
      failures.push(`${id}: ${(error as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };
  const fd = attempt<FdXattr>('fs-native-extensions');
  const path = attempt<PathXattr>('@napi-rs/xattr');
  bindings = { fd, path, failure: failures.length > 0 ? failures.join('; ') : undefined };
  return bindings;
}

export interface DirectoryAcls {
  acl: AccessAcl | undefined;
  defaultAcl: DefaultAcl | undefined;
  /** false: the file system says it does not support ACLs (EOPNOTSUPP). */
  supported: boolean;
}

const NONE: DirectoryAcls = { acl: undefined, defaultAcl: undefined, supported: true };
const UNSUPPORTED: DirectoryAcls = { acl: undefined, defaultAcl: undefined, supported: false };

/** Whether ACLs can be read at all here, and if not, why: said once, in the report header. */
export function aclReaderStatus(): AclStatus {
  const { fd, path, failure } = load();
  if (fd && path) return { state: 'read' };
  return { state: 'unknown', reason: `the ACL bindings could not be loaded (${failure ?? 'unknown reason'})` };
}

/** What both ACLs' attribute names start with. */
const ACL_PREFIX = 'system.posix_acl_';

/** Attempts at reading an xattr that keeps changing size (below). */
const ERANGE_ATTEMPTS = 16;

/**
 * fgetxattr asks for the size, then reads: an ACL that grew in between fails with ERANGE. The owner of
 * a directory may rewrite its ACL in a loop to meet that window (about once in 1,500 reads); it is a
 * reason to read again, never to end the walk.
 */
function getAttr(binding: FdXattr, fd: number, name: string): Buffer | null {
  for (let attempt = 1; ; attempt++) {
    try {
      return binding.getAttrSync(fd, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERANGE' || attempt >= ERANGE_ATTEMPTS) throw error;
    }
  }
}

/**
 * Local file systems whose attribute list names every POSIX ACL an inode has (the kernel lists them
 * whenever ACLs are on): ext2/3/4, XFS, Btrfs, tmpfs. On a network or FUSE file system the list is
 * whatever the server says, so there both ACLs are always asked for by name.
 */
const LISTS_ACLS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994]);
/** Per device: may its directories' ACLs be found in one flistxattr? Decided at its first directory. */
const listable = new Map<number, boolean>();

function listsAcls(fd: number): boolean {
  try {
    return LISTS_ACLS.has(statfsSync(at(fd) as string).type);
  } catch {
    return false;
  }
}

/**
 * A directory's access and default ACL, through its open descriptor. Given the device, the names of
 * its attributes are read first where that is one call instead of two (see LISTS_ACLS): most
 * directories have neither ACL, and then nothing more is asked.
 */
export function directoryAcls(fd: number, dev?: number): DirectoryAcls {
  const binding = load().fd;
  if (!binding) return NONE;
  const calls = native();
  if (calls) {
    if (dev !== undefined && listable.get(dev) === true) {
      const names = calls.listXattr(fd);
      if (names !== undefined && !names.includes(ACL_PREFIX)) return NONE;
    }
    const access = calls.readXattr(fd, ACCESS_XATTR);
    // The device's first directory is asked by name: a file system without ACLs says so only then.
    if (dev !== undefined && !listable.has(dev)) listable.set(dev, access !== 'unsupported' && listsAcls(fd));
    if (access === 'unsupported') return UNSUPPORTED;
    const defaults = access === undefined ? undefined : calls.readXattr(fd, DEFAULT_XATTR);
    if (access !== undefined && defaults !== undefined && defaults !== 'unsupported') return aclsOf(access, defaults);
  }
  try {
    return aclsOf(getAttr(binding, fd, ACCESS_XATTR), getAttr(binding, fd, DEFAULT_XATTR));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return UNSUPPORTED;
    throw error;
  }
}

/** The two attributes' values as read (a Buffer, or absent as the reader says it), parsed. */
function aclsOf(access: Buffer | null | 'absent', defaults: Buffer | null | 'absent'): DirectoryAcls {
  if (!(access instanceof Buffer) && !(defaults instanceof Buffer)) return NONE;
  return {
    acl: access instanceof Buffer ? parseAccess(access) : undefined,
    defaultAcl: defaults instanceof Buffer ? parseDefault(defaults) : undefined,
    supported: true,
  };
}

/**
 * The access ACL of a non-directory inside an open directory, not following a symlink: read relative
 * to the directory where the kernel can (getxattrat), else by /proc/self/fd/DIR/NAME. Names that are
 * not UTF-8 cannot be passed to the path binding; there they are read through a descriptor opened
 * without following links or blocking (regular files only: FIFOs and devices are never opened).
 */
export function entryAcl(dirFd: number, name: Name, isRegularFile: boolean): AccessAcl | undefined | 'unknown' {
  const { path, fd } = load();
  const read = path || fd ? native()?.readXattrAt(dirFd, name, ACCESS_XATTR) : undefined;
  if (read instanceof Buffer) return parseAccess(read);
  if (read === 'absent') return undefined;
  if (typeof name === 'string') {
    if (!path) return 'unknown';
    const bytes = path.getAttributeSync(at(dirFd, name) as string, ACCESS_XATTR);
    return bytes ? parseAccess(bytes) : undefined;
  }
  if (!fd || !isRegularFile) return 'unknown';
  return readThroughDescriptor(dirFd, name, fd);
}

/** The access ACL of an open file (a real descriptor, not O_PATH). */
export function descriptorAcl(fd: number): AccessAcl | undefined | 'unknown' {
  const binding = load().fd;
  if (!binding) return 'unknown';
  try {
    const bytes = getAttr(binding, fd, ACCESS_XATTR);
    return bytes ? parseAccess(bytes) : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOTSUP' || code === 'EOPNOTSUPP' ? undefined : 'unknown';
  }
}

function readThroughDescriptor(dirFd: number, name: Name, binding: FdXattr): AccessAcl | undefined | 'unknown' {
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return 'unknown';
  }
  try {
    const bytes = getAttr(binding, fd, ACCESS_XATTR);
    return bytes ? parseAccess(bytes) : undefined;
  } catch {
    return 'unknown';
  } finally {
    closeSync(fd);
  }
}

function parseAccess(bytes: Uint8Array): AccessAcl | undefined {
  const parsed = decodeAcl(bytes);
  return parsed.ok ? accessAclOf(parsed.acl) : undefined;
}

function parseDefault(bytes: Uint8Array): DefaultAcl | undefined {
  const parsed = decodeAcl(bytes);
  return parsed.ok ? defaultAclOf(parsed.acl) : undefined;
}
