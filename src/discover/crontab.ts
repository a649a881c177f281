import { parseUmask } from '../mode/umask.js';
import { numberedLines, unquote } from './located.js';

export interface CronJob {
  file: string;
  line: number;
  /**
   * `user`: a user's own crontab (/var/spool/cron/crontabs/USER), which anyone may install with
   * crontab(1); `system`: /etc/crontab or /etc/cron.d/*, which only root may write.
   */
  crontab: 'user' | 'system';
  user: string;
  /** The five time fields, or @reboot, @daily... */
  schedule: string;
  /** What cron hands to the shell (up to the first unescaped %, the rest is its stdin). */
  command: string;
  /** The command with the crontab's own variables ($APP, ${APP}) put in, to see which paths it touches. */
  expanded: string;
  /** A `umask 002;` or `umask 002 &&` the command starts its work with. */
  umask: number | undefined;
}

export interface Crontab {
  env: Record<string, string>;
  jobs: CronJob[];
}

const NICKNAMES = /^@(reboot|yearly|annually|monthly|weekly|daily|midnight|hourly)$/;
const ENV_LINE = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * A crontab. `owner` is the user of a user crontab (/var/spool/cron/crontabs/USER); without it
 * the file is a system crontab (/etc/crontab, /etc/cron.d/*) whose sixth field names the user.
 */
export function parseCrontab(text: string, file: string, owner?: string): Crontab {
  const env: Record<string, string> = {};
  const jobs: CronJob[] = [];
  const crontab = owner === undefined ? 'system' : 'user';
  for (const { text: raw, line } of numberedLines(text)) {
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) continue;
    const assignment = ENV_LINE.exec(content);
    if (assignment) {
      env[assignment[1]!] = unquote(assignment[2]!.trim());
      continue;
    }
    const fields = content.split(/\s+/);
    const timeFields = NICKNAMES.test(fields[0]!) ? 1 : 5;
    const userFields = owner === undefined ? 1 : 0;
    if (fields.length <= timeFields + userFields) continue;
    const user = owner ?? fields[timeFields]!;
    const command = cronCommand(restAfter(content, timeFields + userFields));
    const expanded = expandVariables(command, env);
    jobs.push({
      file,
      line,
      crontab,
      user,
      schedule: fields.slice(0, timeFields).join(' '),
      command,
      expanded,
      umask: leadingUmask(expanded),
    });
  }
  return { env, jobs };
}

/** The text after the first `count` whitespace-separated fields. */
function restAfter(content: string, count: number): string {
  let rest = content;
  for (let i = 0; i < count; i++) rest = rest.replace(/^\S+\s+/, '');
  return rest.trim();
}

/** cron turns an unescaped % into a newline and feeds what follows to the command's stdin. */
function cronCommand(text: string): string {
  const cut = /(^|[^\\])%/.exec(text);
  const command = cut ? text.slice(0, cut.index + cut[1]!.length) : text;
  return command.replaceAll('\\%', '%').trim();
}

function expandVariables(command: string, env: Record<string, string>): string {
  return command.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, bare) => env[braced ?? bare] ?? whole,
  );
}

/** `umask 002; php bin/magento cron:run` or `cd /srv/shop && umask 0002 && ...`: the job's own umask. */
export function leadingUmask(command: string): number | undefined {
  const match = /(?:^|[;&|(]\s*)umask\s+([0-7]{1,4}|[ugoa=rwx,]+)\s*(?:;|&&|$)/.exec(command);
  if (!match) return undefined;
  const parsed = parseUmask(match[1]!);
  return parsed.ok ? parsed.umask : undefined;
}
