// Which folders of the workspace get a host, decided without VS Code so it can be tested alone:
// every folder with a manito.json; when none has one, the first folder (it is served the embedded
// default stack, as a single-folder window always was). A folder without a manito.json beside ones
// that have it gets no host: it is most likely docs or a library, and a default stack there would
// only claim ports nobody uses.

export interface FolderCandidate {
  /** Stable key: the folder's URI as a string. */
  key: string;
  /** Only local folders (file, or the remote's own files) can run a host. */
  local: boolean;
  hasConfig: boolean;
}

export function foldersToServe(folders: readonly FolderCandidate[]): string[] {
  const local = folders.filter((f) => f.local);
  const configured = local.filter((f) => f.hasConfig);
  if (configured.length) return configured.map((f) => f.key);
  return local.length ? [local[0].key] : [];
}

/** What served folders to add and which hosts to stop, given what runs now. */
export function reconcile(running: readonly string[], wanted: readonly string[]): { add: string[]; remove: string[] } {
  const want = new Set(wanted);
  const have = new Set(running);
  return { add: wanted.filter((k) => !have.has(k)), remove: running.filter((k) => !want.has(k)) };
}
