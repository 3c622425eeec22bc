/**
 * Loads the OpenAPI documents in this folder as plain objects: YAML with merge keys, the shared
 * `components.yaml` folded in (its `./components.yaml#/...` references become local `#/...`
 * ones), so that express-openapi-validator and Swagger UI get one self-contained document each.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export type ApiName = 'account' | 'shop' | 'product' | 'order' | 'query';
export const API_NAMES: readonly ApiName[] = ['account', 'shop', 'product', 'order', 'query'];

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
};

const FOLDER = join(__dirname, '..');
const SHARED = './components.yaml#/';

function read(file: string): Record<string, unknown> {
  return parse(readFileSync(join(FOLDER, file), 'utf8'), { merge: true }) as Record<string, unknown>;
}

function localRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([key]) => !key.startsWith('x-') || key === 'x-internal')
      .map(([key, value]) => [key, key === '$ref' && typeof value === 'string' && value.startsWith(SHARED) ? `#/${value.slice(SHARED.length)}` : localRefs(value)]),
  );
}

/** One service's document, self-contained. */
export function loadApiDocument(name: ApiName): OpenApiDocument {
  const shared = localRefs(read('components.yaml')) as { components: Record<string, Record<string, unknown>> };
  const own = localRefs(read(`${name}.yaml`)) as OpenApiDocument;
  const components: Record<string, Record<string, unknown>> = { ...shared.components };
  for (const [section, entries] of Object.entries(own.components ?? {})) {
    for (const key of Object.keys(entries)) {
      if (components[section]?.[key] !== undefined) throw new Error(`openapi/${name}.yaml redefines the shared component ${section}.${key}; rename it.`);
    }
    components[section] = { ...components[section], ...entries };
  }
  return { ...own, components };
}

/**
 * Every API in one document, for the all-in-one process (one port, one /docs). A path served by
 * two documents keeps each document's methods; a component defined differently twice is an error.
 */
export function loadCombinedDocument(names: readonly ApiName[] = API_NAMES): OpenApiDocument {
  const documents = names.map(loadApiDocument);
  const combined: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'bdbazar', version: '1.0.0', description: documents.map((d) => `**${d.info.title}**: ${d.info.description ?? ''}`).join('\n\n') },
    servers: [{ url: '/' }],
    paths: {},
    components: {},
  };
  for (const document of documents) {
    for (const [path, operations] of Object.entries(document.paths)) {
      const existing = combined.paths[path] ?? {};
      for (const method of Object.keys(operations)) {
        if (method !== 'parameters' && existing[method] !== undefined) throw new Error(`Two APIs define ${method.toUpperCase()} ${path}.`);
      }
      combined.paths[path] = mergePathItems(existing, operations);
    }
    for (const [section, entries] of Object.entries(document.components)) {
      for (const [key, value] of Object.entries(entries)) {
        const known = combined.components[section]?.[key];
        if (known !== undefined && JSON.stringify(known) !== JSON.stringify(value)) throw new Error(`Two APIs define the component ${section}.${key} differently.`);
        combined.components[section] = { ...combined.components[section], [key]: value };
      }
    }
  }
  return combined;
}

/** Path-level parameters move onto each operation, so that two documents' items merge safely. */
function mergePathItems(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const spread = (item: Record<string, unknown>) => {
    const { parameters, ...operations } = item as { parameters?: unknown[] };
    return Object.fromEntries(
      Object.entries(operations).map(([method, operation]) => {
        const op = operation as { parameters?: unknown[] };
        return [method, parameters ? { ...op, parameters: [...parameters, ...(op.parameters ?? [])] } : op];
      }),
    );
  };
  return { ...spread(a), ...spread(b) };
}
