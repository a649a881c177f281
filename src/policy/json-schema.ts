import { z } from 'zod';
import { configSchema } from './schema.js';

export const SCHEMA_FILE = 'schema/config.schema.json';

/** The JSON Schema editors validate permcheck.config.json with, derived from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
  return { ...schema, $id: 'https://unpkg.com/permcheck/schema/config.schema.json', title: 'permcheck configuration' };
}
