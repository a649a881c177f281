import { envContent } from './env.js';
import { phpContent } from './php.js';

/**
 * What a file the policy marks secret holds, judged from its text. Only names ever leave here (a
 * key, an include's path expression), never a value: these words end up in reports and logs.
 */
export type SecretContent =
  /** It sets credential-like keys to something: a secret. `keys` are their names, in file order. */
  | { kind: 'credentials'; keys: string[] }
  /**
   * It sets no credential; a PHP config then only points elsewhere (Debian's wp-config.php requires
   * /etc/wordpress/config-*.php): not a secret itself, what it includes is.
   */
  | { kind: 'none'; includes: string[] }
  /** The content could not decide (unread, unknown format, nothing recognised): the path does. */
  | { kind: 'unknown'; why: string };

/** How many bytes of a secret are read: config files are a few KB; more is not a format we know. */
export const SECRET_READ_BYTES = 64 * 1024;

/** Judge the text of a file the policy marks secret, by its name's format: PHP, .env, or unknown. */
export function judgeSecretText(name: string, text: string): SecretContent {
  if (name.endsWith('.php')) return phpContent(text);
  if (name === '.env' || name.startsWith('.env.')) return envContent(text);
  return { kind: 'unknown', why: 'not a format permcheck reads (PHP or .env)' };
}
