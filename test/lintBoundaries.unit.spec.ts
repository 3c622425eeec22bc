// Proves that eslint.config.js keeps the architecture's import boundaries (ARCHITECTURE.md,
// STYLE.md "Boundaries"): the real config, run through ESLint's Node API on code that is never
// written to disk.
import { ESLint } from 'eslint';
import { createRequire } from 'node:module';
import path from 'node:path';

const RULE = '@typescript-eslint/no-restricted-imports';
const repoRoot = path.resolve(__dirname, '..');
// ESLint loads its config file with a dynamic import(), which Jest's module sandbox refuses
// without --experimental-vm-modules; so the same file is required here and passed in as is.
const config: ESLint.Options['overrideConfig'] = createRequire(__filename)(path.join(repoRoot, 'eslint.config.js'));

async function boundaryViolations(filePath: string, importPath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: config });
  const code = `import { thing } from '${importPath}';\n\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the import boundaries', () => {
  describe('when a command service file imports another command service', () => {
    it('reports a relative import into command-services/payment from an order file', async () => {
      const violations = await boundaryViolations('command-services/order/src/x.ts', '../../payment/src/payment');
      expect(violations).toEqual([expect.stringContaining('command-services/order may not import another command service')]);
    });

    it('reports the other service as a package', async () => {
      const violations = await boundaryViolations('command-services/order/src/x.ts', '@bdbazar/payment');
      expect(violations).toHaveLength(1);
    });

    it('reports the other service by its package name', async () => {
      expect(await boundaryViolations('command-services/shop/src/x.ts', '@bdbazar/account-service')).toHaveLength(1);
      expect(await boundaryViolations('query-api/src/x.ts', '@bdbazar/shop-service')).toHaveLength(1);
    });
  });

  describe('when a command service file imports the shared kernel', () => {
    it('reports nothing', async () => {
      expect(await boundaryViolations('command-services/order/src/x.ts', '@bdbazar/shared-kernel')).toEqual([]);
    });
  });

  describe('when a command service file imports its own modules', () => {
    it('reports nothing', async () => {
      expect(await boundaryViolations('command-services/order/src/placeOrder/placeOrder.ts', '../order')).toEqual([]);
    });
  });

  describe('in the shared kernel and the query API', () => {
    it.each([
      ['shared-kernel/src/http/app.ts', '../../../projections/src/x', 1],
      ['shared-kernel/src/index.ts', '@bdbazar/order', 1],
      // its own folder that happens to be called `projections` is fine
      ['shared-kernel/src/eventStore/x.ts', '../projections/projector', 0],
      ['query-api/src/orders/x.ts', '../../../command-services/order/src/order', 1],
      ['query-api/src/orders/x.ts', '@bdbazar/order/contracts', 0],
    ])('%s importing %s: %i violation(s)', async (filePath, importPath, count) => {
      expect(await boundaryViolations(filePath, importPath)).toHaveLength(count);
    });
  });
});
