import { API_NAMES, loadApiDocument, loadCombinedDocument } from './index';

describe('the OpenAPI documents', () => {
  it.each(API_NAMES)('%s is self-contained: every $ref points into itself and resolves', (name) => {
    const document = loadApiDocument(name);
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') refs.push(value as string);
          else walk(value);
        }
      }
    };
    walk(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      const target = ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
      expect({ ref, resolved: target !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  it('gives every operation an operationId, unique across all APIs', () => {
    const combined = loadCombinedDocument();
    const ids = Object.values(combined.paths).flatMap((item) => Object.values(item).map((op) => (op as { operationId?: string }).operationId));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves GET and PUT /v1/users/{id} from two documents in the combined one', () => {
    const combined = loadCombinedDocument();
    expect(Object.keys(combined.paths['/v1/users/{id}']!).sort()).toEqual(['get', 'put']);
  });
});
