// The HTML shell the dashboard bundle runs in, shared by the VS Code panel and the page the host
// serves: static markup only, every value attribute-escaped, the one script carrying the nonce.

export interface ShellOptions {
  /** The Content-Security-Policy, also sent as a header by the host. */
  csp: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** `data-*` attributes on <body> that configure the bundle (feed URL, token). */
  data?: Record<string, string | undefined>;
}

export function dashboardShell(o: ShellOptions): string {
  const data = Object.entries(o.data ?? {})
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .map(([key, value]) => ` data-${key.replace(/[^a-z0-9-]/gi, '')}="${escapeAttr(value)}"`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(o.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="${escapeAttr(o.codiconUri)}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<link rel="icon" href="data:,">
<title>Manito Dashboard</title>
</head>
<body${data}>
<main id="app" class="dashboard"><noscript>The Manito dashboard needs JavaScript.</noscript></main>
<script nonce="${escapeAttr(o.nonce)}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}

export function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
