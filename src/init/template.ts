import type { Preset } from '../policy/presets/preset.js';

export interface InitChoices {
  preset: Preset;
  presetSource: string;
  webUser: string | undefined;
  cliUser: string;
  schemaRef: string;
}

/** A starting permcheck.config.json: JSON with comments, every choice explained. */
export function configTemplate(choices: InitChoices): string {
  const { preset } = choices;
  const web = choices.webUser
    ? `{ "user": ${JSON.stringify(choices.webUser)} },`
    : `{ "user": "www-data" }, // no web server user found on this machine: set yours`;
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
    "web": ${web.padEnd(28)} // the web server / PHP-FPM pool user
    "cli": ${`{ "user": ${JSON.stringify(choices.cliUser)} },`.padEnd(28)} // the deploy user: composer, CLI tools, deploys
    "cron": ${`{ "user": ${JSON.stringify(choices.cliUser)} }`.padEnd(27)} // the user cron runs the application's jobs as
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
