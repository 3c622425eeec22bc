// ESLint flat config for the whole monorepo: `npx eslint .` from the root.
//
// Recommended rules from @eslint/js and typescript-eslint, without type information (the
// type-aware presets parse every package through the TypeScript program and grow slow with the
// repo; `npm run typecheck` already runs the compiler), plus the import boundaries of
// ARCHITECTURE.md / STYLE.md:
//   (a) a command service imports no other command service, neither by a relative path nor as a
//       package (only @bdbazar/shared-kernel and published contracts: `@bdbazar/<name>/contracts`
//       or a separate package such as `@bdbazar/<name>-contracts`);
//   (b) the shared kernel imports nothing from command services, projections or the query API;
//   (c) the query API imports nothing from a command service but a `contracts` path.
//
// no-restricted-imports only sees the import string, not the file it resolves to, so a relative
// import is judged by how many `../` it climbs: for a file d folders below its package root,
// d+1 `../` leave the package. The blocks below are therefore generated per package and per
// depth, which keeps a folder that merely shares a name (say `shared-kernel/src/projections/`)
// from being mistaken for the top-level one. Rule options are not merged across blocks, so each
// file must match exactly one boundary block: the depth globs are disjoint, and a last block per
// package catches files deeper than MAX_DEPTH with only the rules that need no depth (package
// imports, relative paths that name `command-services/`).
//
// Package names follow the folder names, a command service's with `-service`:
// `@bdbazar/order-service`, `@bdbazar/projections`, `@bdbazar/query-api`.
const { defineConfig } = require('eslint/config');
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** Command services, one per aggregate family (ARCHITECTURE.md, "Top level"). */
const COMMAND_SERVICES = ['account', 'shop', 'product', 'order', 'payment', 'shipment', 'payout', 'return'];
/** Deepest folder nesting inside a package that gets an exact depth block. */
const MAX_DEPTH = 12;

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const anyOf = (names) => `(?:${names.map(escapeRegex).join('|')})`;
/** `(?:\.\./){n}` after an optional `./`: a relative path climbing n folders (`n` may be `'1,'`). No anchor. */
const climb = (n) => `(?:\\./)?(?:\\.\\./){${n}}`;
/** Rejects a path that has a `contracts` segment (`.../contracts`, `.../contracts/x`, `.../contracts.js`). */
const NOT_CONTRACTS = '(?!.*/contracts(?:[/.]|$))';

/** Globs for the files exactly `depth` folders below `root` (and, with `orDeeper`, all below). */
function filesAtDepth(root, depth, orDeeper = false) {
  const dirs = '*/'.repeat(depth) + (orDeeper ? '**/' : '');
  return [`${root}/${dirs}*.ts`, `${root}/${dirs}*.tsx`, `${root}/${dirs}*.mts`, `${root}/${dirs}*.cts`];
}

/**
 * One config block per depth 0..MAX_DEPTH, then a catch-all for deeper files. `patternsAtDepth`
 * gets the depth, or `undefined` for the catch-all (return only depth-independent patterns).
 */
function boundaryBlocks(name, root, patternsAtDepth) {
  const blocks = [];
  for (let depth = 0; depth <= MAX_DEPTH + 1; depth += 1) {
    const deeper = depth > MAX_DEPTH;
    blocks.push(
      boundaryBlock(
        `${name}/depth-${deeper ? `${depth}+` : depth}`,
        filesAtDepth(root, depth, deeper),
        patternsAtDepth(deeper ? undefined : depth).filter(Boolean),
      ),
    );
  }
  return blocks;
}

function boundaryBlock(name, files, patterns) {
  return {
    name: `bdbazar/boundaries/${name}`,
    files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

const restrict = (regex, message) => ({ regex, message, caseSensitive: true });

/** (a) `command-services/<self>/**`: no other command service. */
function commandServiceBlocks(self) {
  const others = COMMAND_SERVICES.filter((s) => s !== self);
  const message =
    `command-services/${self} may not import another command service. ` +
    'Import @bdbazar/shared-kernel, or the other service\'s published contracts (`@bdbazar/<name>/contracts`), ' +
    'and keep your own copy of its data from integration events.';
  return boundaryBlocks(`command-services/${self}`, `command-services/${self}`, (depth) => [
    // `../` * (depth+1) reaches command-services/: any folder there but our own is another service.
    depth !== undefined && restrict(`^${climb(depth + 1)}(?!${escapeRegex(self)}(?:/|$))[^./]`, message),
    // Further up and back down through command-services/ (a service has no such folder of its own).
    restrict(`^${climb('1,')}(?:.*/)?command-services/(?!${escapeRegex(self)}(?:/|$))`, message),
    // As packages; a `contracts` subpath is the published contract.
    restrict(`^${NOT_CONTRACTS}@bdbazar/${anyOf(others)}(?:-service)?(?:/|$)`, message),
  ]);
}

/** (b) `shared-kernel/**`: no business code at all. */
function sharedKernelBlocks() {
  const message =
    'The shared kernel may not import command services, projections or the query API: ' +
    'it holds no business rules, and they depend on it, not the other way round.';
  const upper = anyOf(['command-services', 'projections', 'query-api']);
  return boundaryBlocks('shared-kernel', 'shared-kernel', (depth) => [
    // `../` * (depth+1) reaches the repository root.
    depth !== undefined && restrict(`^${climb(depth + 1)}(?:\\.\\./)*${upper}(?:/|$)`, message),
    restrict(`^${climb('1,')}(?:.*/)?command-services(?:/|$)`, message),
    restrict(`^@bdbazar/${anyOf([...COMMAND_SERVICES, 'projections', 'query-api'])}(?:-service)?(?:/|$)`, message),
  ]);
}

/** (c) `query-api/**`: read models only; from command services, their contracts at most. */
function queryApiBlock() {
  const message =
    'The query API reads read models only and may import nothing from a command service ' +
    'but its published contracts (a `contracts` path).';
  // The query API has no `command-services` folder of its own, so one block, with no depth, does.
  return boundaryBlock('query-api', filesAtDepth('query-api', 0, true), [
    restrict(`^${NOT_CONTRACTS}${climb('1,')}(?:.*/)?command-services(?:/|$)`, message),
    restrict(`^${NOT_CONTRACTS}@bdbazar/${anyOf(COMMAND_SERVICES)}(?:-service)?(?:/|$)`, message),
  ]);
}

/** Node's CommonJS globals, for the few .js files (configs, Jest global setup). */
const nodeGlobals = Object.fromEntries(
  [
    'require', 'module', 'exports', '__dirname', '__filename', 'process', 'console', 'Buffer', 'URL',
    'URLSearchParams', 'AbortController', 'AbortSignal', 'fetch', 'setTimeout', 'clearTimeout',
    'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone',
    'TextEncoder', 'TextDecoder', 'performance', 'globalThis',
  ].map((g) => [g, 'readonly']),
);

module.exports = defineConfig(
  {
    name: 'bdbazar/ignores',
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/build/',
      '**/coverage/',
      '**/.data/',
      '**/.scratch/',
      '**/.cache/',
      '**/*.tsbuildinfo',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'bdbazar/defaults',
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    name: 'bdbazar/commonjs',
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: nodeGlobals },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...COMMAND_SERVICES.flatMap(commandServiceBlocks),
  ...sharedKernelBlocks(),
  queryApiBlock(),
);
