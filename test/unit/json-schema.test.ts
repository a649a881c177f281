import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, SCHEMA_FILE } from '../../src/policy/json-schema.js';

describe('the shipped JSON Schema', () => {
  it('is the one the zod schema generates (run `npm run schema` after changing the config)', () => {
    const shipped = JSON.parse(readFileSync(fileURLToPath(new URL(`../../${SCHEMA_FILE}`, import.meta.url)), 'utf8'));
    expect(shipped).toEqual(configJsonSchema());
  });

  it('rejects unknown keys for editors too', () => {
    const schema = configJsonSchema() as { additionalProperties?: unknown };
    expect(schema.additionalProperties).toBe(false);
  });
});
