// Escaping for text that goes into a MarkdownString. No vscode import, so wording built with it
// is tested without VS Code.

/** Escapes text that goes into a MarkdownString. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
