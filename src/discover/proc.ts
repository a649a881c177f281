/** What /proc/PID/status tells about a process's credentials. */
export interface ProcStatus {
  name: string;
  pid: number;
  ppid: number;
  /** Z for zombies: they keep their ids but have no umask and no open files. */
  state: string;
  /** The filesystem uid and gid: what the kernel checks and gives to new files. */
  uid: number;
  gid: number;
  groups: number[];
  /** Absent before Linux 4.7 and for zombies. */
  umask: number | undefined;
  /** How many PID namespaces see it (NSpid): more than the reader's own means it runs in a container. */
  nsDepth: number;
}

/** Parse /proc/PID/status; undefined when it lacks the lines every kernel writes. */
export function parseProcStatus(text: string): ProcStatus | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const ids = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean).map(Number);
  const uids = ids('Uid');
  const gids = ids('Gid');
  const pid = Number(fields.get('Pid'));
  if (uids.length === 0 || gids.length === 0 || !Number.isInteger(pid)) return undefined;
  const umask = fields.get('Umask');
  return {
    name: fields.get('Name') ?? '',
    pid,
    ppid: Number(fields.get('PPid') ?? 0),
    state: (fields.get('State') ?? '?').charAt(0),
    uid: uids[3] ?? uids[1] ?? uids[0]!,
    gid: gids[3] ?? gids[1] ?? gids[0]!,
    groups: ids('Groups'),
    umask: umask !== undefined && /^[0-7]+$/.test(umask) ? Number.parseInt(umask, 8) : undefined,
    nsDepth: Math.max(1, ids('NSpid').length),
  };
}

/** The start of /proc/PID/stat: "1638 (php-fpm8.2) S 1636 ..." (the name may hold spaces and parentheses). */
export function parseProcStat(text: string): { pid: number; name: string; state: string; ppid: number } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const [state, ppid] = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isInteger(pid) || state === undefined || ppid === undefined) return undefined;
  return { pid, name: text.slice(open + 1, close), state, ppid: Number(ppid) };
}

/** /proc/PID/cmdline: NUL-separated arguments; a rewritten title may be padded with NULs or spaces. */
export function parseCmdline(raw: string): string[] {
  const args = raw.split('\0');
  while (args.length > 0 && args[args.length - 1]!.trim() === '') args.pop();
  return args.map((arg, index) => (index === args.length - 1 ? arg.trimEnd() : arg));
}

/** A php-fpm process title: the master names its configuration, each worker its pool. */
export type FpmTitle = { role: 'master'; conf: string } | { role: 'worker'; pool: string };

export function fpmTitle(argv: readonly string[]): FpmTitle | undefined {
  const title = argv[0]?.trim() ?? '';
  const master = /^php-fpm[\w.-]*: master process \((.+)\)$/.exec(title);
  if (master) return { role: 'master', conf: master[1]! };
  const worker = /^php-fpm[\w.-]*: pool (\S+)$/.exec(title);
  if (worker) return { role: 'worker', pool: worker[1]! };
  return undefined;
}

/** The value of an option in an argv: `-c FILE`, `-cFILE`, `--conf FILE` or `--conf=FILE`. */
export function optionValue(argv: readonly string[], short: string | undefined, long: string | undefined): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((short && arg === short) || (long && arg === long)) return argv[i + 1];
    if (long && arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
    if (short && arg.startsWith(short) && arg.length > short.length && !arg.startsWith('--')) return arg.slice(short.length);
  }
  return undefined;
}
