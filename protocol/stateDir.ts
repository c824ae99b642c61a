// Where a user's Manito state lives, as a pure function of the environment, so the browser-safe
// app helpers can share it with the host and CLI without importing Node modules statically.

export interface StateDirInputs {
  env: Record<string, string | undefined>;
  platform: string;
  /** Asked only when MANITO_STATE_DIR is unset (it costs a system call). */
  home(): string;
  join(...parts: string[]): string;
  resolve(p: string): string;
}

/** MANITO_STATE_DIR, else the platform's per-user state folder. */
export function resolveStateDir({ env, platform, home, join, resolve }: StateDirInputs): string {
  if (env.MANITO_STATE_DIR) return resolve(env.MANITO_STATE_DIR);
  switch (platform) {
    case 'win32': return join(env.LOCALAPPDATA ?? join(home(), 'AppData', 'Local'), 'manito');
    case 'darwin': return join(home(), 'Library', 'Application Support', 'manito');
    default: return join(env.XDG_STATE_HOME ?? join(home(), '.local', 'state'), 'manito');
  }
}
