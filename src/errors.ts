/**
 * Errors the user can fix. The CLI prints their message as one line on stderr (no stack) and
 * exits 2; anything else that escapes is a bug and keeps its stack.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A configuration file or its content is wrong; the message names the file and key path. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function isUserError(error: unknown): error is UsageError | ConfigError {
  return error instanceof UsageError || error instanceof ConfigError;
}
