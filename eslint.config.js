// Lint rules, including the import boundaries of STYLE.md ("Who imports what").
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const restrict = (patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      '.hookline/',
      'jest.config.js',
      'eslint.config.js',
      'bin/',
      'scripts/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // `() => void promise` and row-type generics read better than the alternatives.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
    },
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: restrict([
      {
        group: ['express', '@temporalio/*', 'pg', '**/config'],
        message: 'adapters are pure: no HTTP server, Temporal, database or config',
      },
    ]),
  },
  {
    files: ['src/http/**/*.ts', 'src/app.ts'],
    rules: restrict([
      {
        group: ['@temporalio/*', 'pg'],
        message: 'the HTTP layer talks to Temporal only through the Dispatcher',
      },
      {
        group: ['**/temporal/dispatcher'],
        message: 'use the Dispatcher type (dispatcherTypes)',
        allowTypeImports: true,
      },
    ]),
  },
  {
    files: ['workflows/**/*.ts'],
    rules: restrict([
      {
        group: ['node:*', 'pg', 'zod', 'express', '**/src/config', '**/src/providers/*'],
        message: 'workflow code is deterministic and bundled: no Node built-ins or I/O',
      },
      {
        group: ['**/activities', '**/activities/*'],
        message: 'workflows import activity types only',
        allowTypeImports: true,
      },
    ]),
  },
  {
    files: ['activities/**/*.ts'],
    rules: restrict([
      {
        group: ['express', '@temporalio/workflow', '**/workflows/*', '**/workflows/**'],
        message: 'activities are side effects only',
        allowTypeImports: true,
      },
    ]),
  },
  {
    // Team code: a rule imports the toolkit and Temporal's workflow API, nothing else of Hookline.
    files: ['rules/**/*.ts'],
    rules: restrict([
      {
        group: [
          '**/workflows',
          '**/workflows/**',
          '**/activities',
          '**/activities/**',
          '**/src/**',
        ],
        message: "rules import only the toolkit (rules-kit), not Hookline's core",
      },
      {
        group: ['**/rules-kit/*', '!**/rules-kit/index'],
        message: 'import the toolkit from rules-kit itself (its index)',
      },
      {
        group: ['node:*', 'pg', 'express'],
        message: 'a rule is workflow code: no Node built-ins or I/O; effects go through hookline()',
      },
    ]),
  },
  {
    // The toolkit stands alone: team code imports it without pulling in Hookline's core.
    files: ['rules-kit/**/*.ts'],
    rules: restrict([
      {
        group: [
          '**/workflows',
          '**/workflows/**',
          '**/activities',
          '**/activities/**',
          '**/src/**',
        ],
        message: "the rule toolkit does not import Hookline's core",
      },
    ]),
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
);
