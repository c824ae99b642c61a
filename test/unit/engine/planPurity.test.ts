// The engine's pure planning (server/engine/plan/) does no I/O: no file under it, nor anything it
// imports for its values (type-only imports are erased), reaches a node: module that touches the
// file system, the network, processes or the OS. Its I/O is injected (port checks, holder lookups,
// liveness) by the engine beside it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PLAN = path.join(ROOT, 'server', 'engine', 'plan');
const IO = /^(node:)?(fs|fs\/promises|net|child_process|os|dgram|dns|http|https|http2|tls|cluster|worker_threads|process|readline|v8|vm)$/;

/** The modules a file imports for their values: [specifier, resolved file or undefined for a package]. */
function valueImports(file: string): Array<[string, string | undefined]> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: Array<[string, string | undefined]> = [];
  const add = (spec: string) => {
    const local = spec.startsWith('.') ? ['.ts', '/index.ts'].map((ext) => path.resolve(path.dirname(file), spec) + ext).find((f) => fs.existsSync(f)) : undefined;
    out.push([spec, local]);
  };
  source.forEachChild(function visit(node): void {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly : node.isTypeOnly;
      if (!typeOnly) add(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0].text);
    }
    node.forEachChild(visit);
  });
  return out;
}

/** Every I/O module reached from `start` through value imports, with the chain that reaches it. */
function ioReached(start: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [spec, local] of valueImports(file)) {
      if (IO.test(spec)) found.push([...chain, spec].join(' > '));
      else if (local) walk(local, [...chain, path.relative(ROOT, local)]);
    }
  };
  walk(start, [path.relative(ROOT, start)]);
  return found;
}

test('no file of server/engine/plan reaches an I/O module of node', () => {
  const files = fs.readdirSync(PLAN).filter((f) => f.endsWith('.ts')).map((f) => path.join(PLAN, f));
  assert.ok(files.length >= 6, `plan/ has ${files.length} files`);
  assert.deepEqual(files.flatMap(ioReached), []);
});

test('the check sees an I/O import, direct or through a local module', () => {
  // The engine itself does I/O: the same walk must find it, or the test above proves nothing.
  const reached = ioReached(path.join(ROOT, 'server', 'engine', 'portEngine.ts'));
  assert.ok(reached.some((chain) => chain.endsWith(' > node:fs') && chain.includes('leaseRegistry.ts')), reached.join('\n'));
  assert.ok(ioReached(path.join(ROOT, 'server', 'engine', 'portProbe.ts')).some((chain) => chain.endsWith(' > node:net')));
});
