/**
 * Routes are typed and validated from zod schemas (api-protocol.ts): each schema is turned into
 * the JSON Schema the OpenAPI document shows, and the validator runs the zod schema itself, so
 * what is documented and what is enforced cannot differ.
 */
import { z } from 'zod';

const zodOfJson = new WeakMap<object, z.ZodType>();

/** JSON Schema of a zod schema, remembered so the validator can find the zod schema back. */
export function schemaOf(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  zodOfJson.set(json, schema);
  return json;
}

type ValidationResult = { value: unknown } | { error: Error };

/** Fastify validatorCompiler: validates (and coerces, defaults) with the zod schema behind a JSON schema. */
export function zodValidatorCompiler({ schema }: { schema: unknown }): (data: unknown) => ValidationResult {
  const zodSchema = typeof schema === 'object' && schema !== null ? zodOfJson.get(schema) : undefined;
  if (zodSchema === undefined) return (data) => ({ value: data });
  return (data) => {
    const parsed = zodSchema.safeParse(data ?? {});
    if (parsed.success) return { value: parsed.data };
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    const keys = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return { error: new Error(`${where}${issue?.message ?? 'invalid'}${keys}`) };
  };
}
