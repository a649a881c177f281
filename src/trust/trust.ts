/**
 * Whose files permcheck lets decide what it does: root, the user running it, and users named with
 * --trust. A configuration, a magento_umask or a settings file owned by anyone else could have been
 * planted by them (git refuses repositories owned by others since CVE-2022-24765 for the same reason).
 */
export interface Trust {
  runnerUid: number;
  /** root, the runner, and --trust users. */
  uids: ReadonlySet<number>;
  /** The names given with --trust, for messages. */
  named: readonly string[];
}

export function trustFor(runnerUid: number, extra: readonly { uid: number; name: string }[] = []): Trust {
  return { runnerUid, uids: new Set([0, runnerUid, ...extra.map((user) => user.uid)]), named: extra.map((user) => user.name) };
}
