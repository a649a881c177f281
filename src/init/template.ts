import type { Preset } from '../policy/presets/preset.js';

export interface InitChoices {
  preset: Preset;
  presetSource: string;
  webUser: string | undefined;
  cliUser: string;
  /** The user of the application's cron jobs on this host (default: the CLI user). */
  cronUser?: string | undefined;
  /** Roles the host runs beyond web, cli and cron: supervisor programs working in the application. */
  extraRoles?: { name: string; user: string }[] | undefined;
  /** Per role, what the host showed: "php-fpm pool www, pid 812; umask 0027". */
  found?: Record<string, string> | undefined;
  schemaRef: string;
  /** The owner when this machine has no entry for its uid: the groups the config must then give it. */
  unnamed?: { user: string; groups: string[] } | undefined;
}

/** A starting permcheck.config.json: JSON with comments, every choice explained. */
export function configTemplate(choices: InitChoices): string {
  const { preset } = choices;
  return `{
  // permcheck configuration. Reference: https://github.com/permcheck/permcheck#configuration
  "$schema": ${JSON.stringify(choices.schemaRef)},

  // Built-in policy: ${preset.title} (${choices.presetSource}).
  // It comes from ${preset.docs[0]}
  // The entries under "paths" below are applied after it and override it.
  "preset": ${JSON.stringify(preset.name)},

  // The umask of roles that do not set their own (default: ${preset.umask ? `${preset.umask}, what ${preset.title} applies` : "0022, systemd's default for php-fpm"}).
  // "umask": "0002",

  // Who touches the application. A role's groups default to its user's primary group and every
  // group that lists it; give "groups" to describe another host, and "umask" where a role's differs.
  "roles": {
${roleLines(choices).join('\n')}
  },

  // Your rules, applied in order after the preset's; a later entry overrides the roles it names.
  // Access levels: "none", "read" (files r, directories r+x), "write" (files rw, directories rwx).
  "paths": [
    // { "match": "var/export/**", "access": { "web": "write", "cli": "write" } },
    // { "match": "config/secrets.php", "secret": true, "owner": "cli", "group": "web" }
  ],

  // Entries left out of the audit (a matching directory is not entered).
  "ignore": [
    // "node_modules/**"
  ],

  // Severity per rule: "off", "info", "warning" or "error" (see docs/rules.md).
  "rules": {
    // "mode-drift": "off"
  }
}
`;
}

/** One line per role, each with why it is there and, where the host showed it, what was found. */
function roleLines(choices: InitChoices): string[] {
  const entries = [
    {
      name: 'web',
      user: choices.webUser ?? 'www-data',
      why: choices.webUser ? 'the web server / PHP-FPM pool user' : 'no web server user found on this machine: set yours',
    },
    { name: 'cli', user: choices.cliUser, why: 'the deploy user: composer, CLI tools, deploys' },
    { name: 'cron', user: choices.cronUser ?? choices.cliUser, why: "the user cron runs the application's jobs as" },
    ...(choices.extraRoles ?? []).map((role) => ({ name: role.name, user: role.user, why: 'a worker this host runs in the application' })),
  ];
  const { unnamed } = choices;
  return entries.map((entry, index) => {
    const guessed = unnamed && entry.user === unnamed.user ? unnamed.groups : undefined;
    const groups = guessed ? `, "groups": ${JSON.stringify(guessed)}` : '';
    const value = `${JSON.stringify(entry.name)}: { "user": ${JSON.stringify(entry.user)}${groups} }${index < entries.length - 1 ? ',' : ''}`;
    const found = choices.found?.[entry.name];
    const unknown = guessed ? `; uid ${entry.user} has no entry on this machine: its groups are a guess (the directory's group)` : '';
    return `    ${value.padEnd(34)} // ${entry.why}${found ? `; found: ${found}` : ''}${unknown}`;
  });
}
