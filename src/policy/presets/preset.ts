import type { PathRuleConfig, PresetName } from '../schema.js';

/**
 * A built-in policy, written from the framework's own documentation: where it writes at run time
 * (writable by web, cli and cron), what is secret, and that code is read-only for the web user.
 */
export interface Preset {
  name: PresetName;
  title: string;
  /** The documentation each rule comes from. */
  docs: readonly string[];
  /** Any one of these groups of paths (relative to the root, no globs) marks the framework. */
  markers: readonly (readonly string[])[];
  /** The umask the framework applies itself, if any (Magento's bootstrap: 002). */
  umask?: string;
  paths: readonly PathRuleConfig[];
  ignore?: readonly string[];
  /**
   * The framework's own code, shipped with it and replaced by its updates (WordPress's wp-admin/):
   * like a Composer package, not the application's code; modes it hard-codes are reported as a
   * dependency's (info, unless they break a role).
   */
  core?: { name: string; paths: readonly string[] };
}

/** The base of every preset: the deploy user owns and updates the code, the web user only reads it. */
export const CODE_READ_ONLY_FOR_WEB: PathRuleConfig = { match: '**', access: { web: 'read', cli: 'write' } };

/** Writable at run time by every role that runs the application. */
export function runtimeWritable(match: string[]): PathRuleConfig {
  return { match, access: { web: 'write', cli: 'write', cron: 'write' } };
}

export function secret(match: string | string[]): PathRuleConfig {
  return { match, secret: true, access: { others: 'none' } };
}

/** Composer's credentials for private repositories (repo.magento.com keys, Packagist tokens). */
export const COMPOSER_AUTH = 'auth.json';
