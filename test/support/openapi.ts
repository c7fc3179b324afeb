import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) over an OpenAPI document's component schemas: the
 * document is added as one schema whose `$defs` are its components (`#/components/schemas/X` → `$defs/X`).
 */
const ID = 'urn:lumina:openapi';

export function openApiAjv(doc: { components: { schemas: Record<string, unknown> } }, strict = true) {
  const ajv = new Ajv2020({ strict, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const rewrite = <T>(x: T): T => JSON.parse(JSON.stringify(x).replaceAll('"#/components/schemas/', `"${ID}#/$defs/`));
  ajv.addSchema({ $id: ID, $defs: rewrite(doc.components.schemas) });
  return {
    ajv,
    /** A component schema by name. */
    component: (name: string): ValidateFunction => ajv.compile({ $ref: `${ID}#/$defs/${name}` }),
    /** Any schema of the document (refs rewritten). */
    compile: (schema: unknown): ValidateFunction => ajv.compile(rewrite(schema) as object),
  };
}
