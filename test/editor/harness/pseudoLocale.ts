// A pseudo-locale for the l10n test: every translatable string becomes visibly different text
// ("Start Stack" -> "«Şţàŕţ Şţàçķ»") while placeholders ({0}), codicons ($(name)), command links,
// settings links (#id#) and code spans stay as they are, so a string that skipped translation
// stands out on a screenshot and in the DOM.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const PSEUDO_LOCALE = 'qps-ploc';

const ACCENTED: Record<string, string> = {
  a: 'à', c: 'ç', e: 'é', i: 'í', k: 'ķ', n: 'ñ', o: 'ö', r: 'ŕ', s: 'ş', t: 'ţ', u: 'ü', y: 'ý',
  A: 'À', C: 'Ç', E: 'É', I: 'Í', K: 'Ķ', N: 'Ñ', O: 'Ö', R: 'Ŕ', S: 'Ş', T: 'Ţ', U: 'Ü', Y: 'Ý',
};

// Kept verbatim: {0}, $(icon), (command:...), #setting.id#, `code`, URLs, and Markdown/HTML markup.
const PROTECTED = /(\{\d+\}|\$\([a-z0-9-~]+\)|\]\([^)]*\)|#[a-z][\w.]*#|`[^`]*`|https?:\/\/\S+|manito\.json|\\n)/gi;

export function pseudoLocalize(text: string): string {
  const out = text.split(PROTECTED).map((part, i) => (i % 2 === 1 ? part : [...part].map((ch) => ACCENTED[ch] ?? ch).join(''))).join('');
  return `«${out}»`;
}

/**
 * Makes the pseudo-locale the display language of a code-server whose extensions are installed:
 * Manito gets package.nls.<locale>.json and l10n/bundle.l10n.<locale>.json beside its English
 * ones, and user-data gets the languagepacks.json VS Code keeps for installed language packs
 * (code-server reads it when the page loads but writes it only when the language picker runs).
 */
export function installPseudoLocale({ extensionsDir, userDataDir }: { extensionsDir: string; userDataDir: string }): void {
  const installed = (prefix: string) => {
    const name = readdirSync(extensionsDir).find((n) => n.toLowerCase().startsWith(prefix));
    if (!name) throw new Error(`no extension ${prefix}* in ${extensionsDir}`);
    return join(extensionsDir, name);
  };
  addPseudoLocale(installed('manito.manito-'));
  const pack = installed('manito-test.language-pack-qps-ploc-');
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify({
    [PSEUDO_LOCALE]: {
      hash: 'manito-test-qps-ploc-0.0.1',
      label: 'Pseudo',
      extensions: [{ extensionIdentifier: { id: 'manito-test.language-pack-qps-ploc' }, version: '0.0.1' }],
      translations: { vscode: join(pack, 'translations', 'main.i18n.json') },
    },
  }));
}

/** Writes package.nls.<locale>.json and l10n/bundle.l10n.<locale>.json beside the English ones. */
function addPseudoLocale(extensionPath: string): void {
  const nls = JSON.parse(readFileSync(join(extensionPath, 'package.nls.json'), 'utf8')) as Record<string, string>;
  const bundle = JSON.parse(readFileSync(join(extensionPath, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
  const pseudo = (table: Record<string, string>) => Object.fromEntries(Object.entries(table).map(([k, v]) => [k, pseudoLocalize(v)]));
  writeFileSync(join(extensionPath, `package.nls.${PSEUDO_LOCALE}.json`), JSON.stringify(pseudo(nls), null, 2));
  writeFileSync(join(extensionPath, 'l10n', `bundle.l10n.${PSEUDO_LOCALE}.json`), JSON.stringify(pseudo(bundle), null, 2));
}

/**
 * Packages a language pack for the pseudo-locale into `dir` and returns its .vsix. It carries no
 * translations of VS Code itself (the workbench stays English); it exists because VS Code takes a
 * display language only when a language pack provides it, and only then hands that language to
 * extensions, which load their own package.nls.<locale>.json and l10n bundle.
 */
export async function pseudoLanguagePack(dir: string): Promise<string> {
  mkdirSync(join(dir, 'translations'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'language-pack-qps-ploc',
    displayName: 'Pseudo-locale language pack (Manito tests)',
    description: 'Declares the qps-ploc display language with no core translations.',
    publisher: 'manito-test',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.99.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [{
        languageId: PSEUDO_LOCALE,
        languageName: 'Pseudo',
        localizedLanguageName: 'Pseudo',
        translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
      }],
    },
  }, null, 2));
  writeFileSync(join(dir, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents: {} }));
  writeFileSync(join(dir, 'README.md'), 'Test fixture.\n');
  writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
  const out = join(dir, 'language-pack-qps-ploc.vsix');
  const vsce = createRequire(__filename).resolve('@vscode/vsce/vsce');
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out], { cwd: dir, env: { ...process.env, CI: 'true' } },
      (error, stdout, stderr) => (error ? reject(new Error(`packaging the pseudo language pack failed: ${stderr || stdout || error.message}`)) : resolve()));
  });
  return out;
}
