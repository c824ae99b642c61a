// Lint for every layer. Type-aware rules catch the bugs that cost us most (a promise nobody awaits
// or catches, an async function passed where a callback's result is ignored); the import rules
// keep each layer to what it runs with: protocol/ imports no layer and no Node module, webview/
// only protocol/, and only extension/ sees `vscode`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto'];
const message = 'This layer must not import that (see the layer rules in eslint.config.mjs).';
// Bare module names go to `paths` (exact names); `patterns` would also match a local './http'.
const layer = (...names) => ['error', {
  paths: names.filter((n) => !/[*/]/.test(n)).map((name) => ({ name, message })),
  patterns: [{ group: names.filter((n) => /[*/]/.test(n)), message }],
}];

export default tseslint.config(
  { ignores: ['server/config/generated/**', 'dist/**', 'node_modules/**', '.cache/**', 'examples/**/node_modules/**', 'packages/app/dist/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        // node:test's describe/it/test return promises the runner itself awaits.
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
      // A `let` that closures read before its one assignment (a server referenced by its own handlers) stays `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // protocol/ declares each request as a namespace holding its method and type (STYLE.md).
      '@typescript-eslint/no-namespace': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Tests and benches read untyped JSON answers all over; `any` there is the honest type.
  { files: ['test/**/*.ts', 'bench/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['protocol/**/*.ts'], rules: { 'no-restricted-imports': layer(...nodeBuiltins, 'vscode', '../server/*', '../extension/*', '../webview/*', '../cli/*', 'ws', 'vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageclient', 'vscode-languageclient/*') } },
  { files: ['webview/**/*.ts'], rules: { 'no-restricted-imports': layer(...nodeBuiltins, 'vscode', '../server/*', '../extension/*', '../cli/*', 'vscode-*') } },
  { files: ['server/**/*.ts'], rules: { 'no-restricted-imports': layer('vscode', 'vscode-languageclient', 'vscode-languageclient/*', '**/extension/*', '**/cli/*') } },
  { files: ['cli/**/*.ts'], rules: { 'no-restricted-imports': layer('vscode', 'vscode-languageclient', 'vscode-languageclient/*', '**/extension/*') } },
  { files: ['extension/**/*.ts'], rules: { 'no-restricted-imports': layer('**/server/*', '**/cli/*', 'vscode-languageserver', 'vscode-languageserver/*') } },
);
