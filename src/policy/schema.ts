import { z } from 'zod';
import { CHMOD_FORM } from './chmod-form.js';
import { PRESET_NAMES, type PresetName } from './preset-names.js';

export type { PresetName };
import { parseUmask } from '../mode/umask.js';
import { RULE_IDS } from './rule-ids.js';
import { checkGlob } from './glob.js';

export const ACCESS_LEVELS = ['none', 'read', 'write'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

export const RULE_SETTINGS = ['off', 'info', 'warning', 'error'] as const;

export const UPDATE_MODES = ['in-place', 'replace'] as const;

/** web, cli, cron and custom roles such as queue; 'others' is not a role one can bind. */
export const ROLE_NAME = /^[a-z][a-z0-9_-]*$/;
export const RESERVED_ROLE = 'others';

const umask = z
  .string({ error: 'must be a string such as "0022" (a JSON number would be read as decimal)' })
  .superRefine((value, ctx) => {
    const parsed = parseUmask(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `umask '${value}' ${parsed.reason}` });
  })
  .describe('A umask: octal "0022", "027", or symbolic "u=rwx,g=rx,o=" (the bits kept).');

const octalMode = z
  .string({ error: 'must be a string such as "0660"' })
  .regex(/^(?:0o)?0*[0-7]{1,4}$/, { error: 'must be an octal mode 0000-7777, such as "0660" or "2770"' })
  .describe('An octal mode as code requests it, such as "0660" or "2770".');

const chmodValue = z
  .string({ error: 'must be a string such as "0664", "0666 & ~umask" or "inherit"' })
  .regex(CHMOD_FORM, { error: 'must be an octal mode ("0664"), a mode less the umask ("0666 & ~umask") or "inherit"' })
  .describe(
    'chmod() after creating: a fixed mode ("0664": the umask plays no part), a mode less the process umask ("0777 & ~umask", Laravel\'s 0777 - umask()), or "inherit" (the parent directory\'s mode, as WordPress does).',
  );

const requestField = (requested: string) =>
  octalMode.optional().describe(`The mode open()/mkdir() asks for; the umask (or a default ACL) narrows it. Default ${requested}.`);

const ownUmask = umask
  .optional()
  .describe("The umask the code sets itself before creating (Smarty's umask(0)): the role's umask then plays no part.");

const makingShorthand = z
  .string()
  .regex(/^(?:inherit|(?:0o)?0*[0-7]{1,4})$/, { error: 'must be an octal mode the code requests ("0660") or "inherit"' });

/** How one kind of entry is made: a bare mode is what the code requests (the old `create` form). */
function makingSchema<T extends z.ZodType>(object: T, noun: string, example: string, keys: string) {
  return z
    .union([makingShorthand, object], {
      error: `must be an octal mode (what the code requests), "inherit", or an object with ${keys}`,
    })
    .describe(
      `How ${noun} are made: a mode the code requests ("${example}", narrowed by the umask), "inherit" (chmod to the parent's mode, WordPress), or { "request": …, "chmod": … }.`,
    );
}

const fileMaking = makingSchema(
  z.strictObject({
    request: requestField('0666'),
    chmod: chmodValue.optional(),
    umask: ownUmask,
    moved: z
      .union([z.boolean(), z.array(z.string().regex(ROLE_NAME, { error: 'a role name such as web' }))], {
        error: 'must be true, false, or a list of role names such as ["web"]',
      })
      .optional()
      .describe(
        "Made elsewhere and renamed in (uploads from PHP's upload_tmp_dir): they keep the creator's group whatever the directory's setgid bit, get no default ACL, and start at 0600. true: every role's files; a list: those roles' (WordPress: web's uploads are moved in, WP-CLI's sideloads are copied).",
      ),
  }),
  'files',
  '0660',
  'request, chmod, umask, moved',
);

const dirMaking = makingSchema(
  z.strictObject({ request: requestField('0777'), chmod: chmodValue.optional(), umask: ownUmask }),
  'directories',
  '2770',
  'request, chmod, umask',
);

const noDirectories = z
  .literal('none')
  .describe('The code makes no directories here (Laravel writes flat files in bootstrap/cache): none are predicted.');

const createSchema = z.strictObject({ file: fileMaking.optional(), dir: z.union([noDirectories, dirMaking]).optional() });

const glob = z
  .string({ error: 'must be a glob string' })
  .superRefine((value, ctx) => {
    const checked = checkGlob(value);
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: `glob '${value}' ${checked.reason}` });
  })
  .describe('A glob relative to the audited directory (fast-glob syntax; dot files included; "X/**" also covers X).');

const userRef = z
  .union([z.string().min(1), z.number().int().nonnegative()], {
    // A role that gives only its umask is missing its user: say that, not what a user looks like.
    error: (issue) =>
      issue.input === undefined
        ? 'missing: a role in the config names its user (a user name or a numeric uid)'
        : 'must be a user name or a numeric uid',
  })
  .describe('A user name or a numeric uid.');
const groupRef = z
  .union([z.string().min(1), z.number().int().nonnegative()], { error: 'must be a group name or a numeric gid' })
  .describe('A group name or a numeric gid.');

export const roleSchema = z
  .strictObject({
    user: userRef,
    groups: z.array(groupRef).optional().describe('The group set; default: the primary group and every group listing the user.'),
    umask: umask.optional().describe('The umask this role creates files under (PHP-FPM: systemd UMask=; CLI: the shell).'),
    create: createSchema
      .optional()
      .describe(
        "How this role's code makes files and directories wherever a paths entry does not say (default: requests 0666/0777, narrowed by the umask).",
      ),
  })
  .describe('A Unix user that touches the application.');

const accessMap = z
  .record(z.string().regex(ROLE_NAME, { error: 'role names are lower case: web, cli, cron, queue...' }), z.enum(ACCESS_LEVELS))
  .describe('What each role needs: none, read (files r; directories r+x) or write (files r+w; directories r+w+x).');

export const pathRuleSchema = z.strictObject({
  match: z.union([glob, z.array(glob).min(1, { error: 'must list at least one glob' })]),
  access: accessMap.optional(),
  secret: z.boolean().optional().describe('Must not be readable by others, nor by roles whose access is none.'),
  owner: userRef.optional().describe('Who must own matching entries: a role name, user name or uid.'),
  group: groupRef.optional().describe('Which group matching entries must have: a role name (its primary group), group name or gid.'),
  create: createSchema
    .optional()
    .describe("How the code makes files and directories here, whichever role runs it; overrides the roles' own create."),
  update: z
    .enum(UPDATE_MODES)
    .optional()
    .describe(
      "How existing files are rewritten: in-place (default; needs w on the file) or replace (a temp file renamed over it, as Laravel's replace() and Symfony's dumpFile(): needs w and x on the directory instead).",
    ),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    preset: z.enum(PRESET_NAMES).optional().describe('Start from a built-in policy; entries below extend it.'),
    umask: umask.optional().describe('Default umask of every role.'),
    roles: z.record(z.string().regex(ROLE_NAME, { error: 'role names are lower case: web, cli, cron, queue...' }), roleSchema).optional(),
    paths: z.array(pathRuleSchema).optional().describe('Applied in order; a later entry overrides the roles it names.'),
    ignore: z.array(glob).optional().describe('Entries not audited (a matching directory is not entered).'),
    rules: z.partialRecord(z.enum(RULE_IDS), z.enum(RULE_SETTINGS)).optional().describe('Severity per rule, or off.'),
  })
  .superRefine((config, ctx) => {
    if (config.roles && RESERVED_ROLE in config.roles) {
      ctx.addIssue({
        code: 'custom',
        path: ['roles', RESERVED_ROLE],
        message: "'others' is reserved: it means any local user who is neither owner nor in the group",
      });
    }
    const known = new Set(['web', 'cli', 'cron', RESERVED_ROLE, ...Object.keys(config.roles ?? {})]);
    const unknown = (role: string, path: (string | number)[]) => {
      if (known.has(role) && role !== RESERVED_ROLE) return;
      ctx.addIssue({ code: 'custom', path, message: `unknown role '${role}' (known: ${[...known].join(', ')}; define it under roles)` });
    };
    config.paths?.forEach((rule, index) => {
      for (const role of Object.keys(rule.access ?? {})) if (role !== RESERVED_ROLE) unknown(role, ['paths', index, 'access', role]);
      const file = rule.create?.file;
      const moved = typeof file === 'object' && Array.isArray(file.moved) ? file.moved : [];
      moved.forEach((role, at) => unknown(role, ['paths', index, 'create', 'file', 'moved', at]));
    });
  });

export type Config = z.infer<typeof configSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
export type PathRuleConfig = z.infer<typeof pathRuleSchema>;
export type CreateConfig = z.infer<typeof createSchema>;
