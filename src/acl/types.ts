/**
 * POSIX ACLs as plain data (Linux: include/uapi/linux/posix_acl.h, fs/posix_acl.c). Permissions are
 * rwx bits, 4 read, 2 write, 1 execute (search, for a directory).
 */

/** A named entry: user:ID:perm or group:ID:perm. */
export interface NamedEntry {
  id: number;
  perm: number;
}

/**
 * An extended access ACL: what the mode cannot say. The owner's and others' entries ARE the mode's
 * owner and other bits (the kernel keeps them in sync), and with an extended ACL the mode's group
 * bits are the mask; the owning group's own entry lives here.
 */
export interface AccessAcl {
  /** group:: (the owning group's entry), masked like every named entry. */
  groupObj: number;
  /** mask:: the upper bound of named entries and the owning group. Equal to the mode's group bits. */
  mask: number;
  /** user:ID:perm entries, in id order. */
  users: readonly NamedEntry[];
  /** group:ID:perm entries, in id order. */
  groups: readonly NamedEntry[];
}

/** A directory's default ACL: the ACL that entries created in it start from (the umask is then not used). */
export interface DefaultAcl {
  userObj: number;
  groupObj: number;
  other: number;
  /** Absent in a minimal default ACL (only user::, group:: and other::). */
  mask: number | undefined;
  users: readonly NamedEntry[];
  groups: readonly NamedEntry[];
}
