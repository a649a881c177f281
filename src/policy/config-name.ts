/** The config's file name, apart from its parser (zod, jsonc-parser), which loads only when there is one. */
export const CONFIG_FILE = 'permcheck.config.json';
