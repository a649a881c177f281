/**
 * What a credential's name looks like across the frameworks permcheck knows: WordPress DB_PASSWORD,
 * AUTH_KEY, *_SALT; Magento 'password', crypt 'key'; Drupal 'password', hash_salt; Laravel APP_KEY,
 * *_SECRET, *_TOKEN; private keys and API keys. Broad on purpose: a false "secret" costs a chmod, a
 * missed one a leaked database.
 */
const CREDENTIAL = /pass(word|wd|phrase)?|pwd|secret|salt|token|private|credential|api_?key|(^|[^a-z])keys?([^a-z]|$)/i;

export function isCredentialName(name: string): boolean {
  return CREDENTIAL.test(name);
}

/** mysql://user:pass@host/db, redis://:pass@host: a DSN that carries a password in its userinfo. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@:]*:[^/\s@]+@/i;

export function hasUrlPassword(value: string): boolean {
  return URL_PASSWORD.test(value.trim());
}

/** Names are printed: only a plain identifier-like name is shown as it is. */
export function printableName(name: string): string {
  return /^[\w.$-]{1,64}$/.test(name) ? name : 'a key';
}
