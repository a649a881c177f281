/**
 * chmod's argument as the code passes it: a fixed mode, a mode less the umask, or the parent's mode.
 * Apart from the schema so that what only reads a compiled policy (a worker thread) loads no zod.
 */
export const CHMOD_FORM = /^(?:inherit|(?:0o)?0*([0-7]{1,4})(\s*&\s*~\s*umask)?)$/;
