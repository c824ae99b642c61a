// Writes the stack the host serves without a manito.json (inferred, or the embedded default) as the
// workspace's manito.json: the one action every surface offers. Atomic (temp file + link, which
// fails if the file appeared meanwhile), never over an existing file; the config watcher then
// picks the file up like any other edit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_FILE_NAME } from '../../protocol/config';
import { isSavable } from '../../protocol/configOrigin';
import type { SaveConfigResult } from '../../protocol/lsp';
import type { ConfigState } from '../config/loadConfig';

export function saveServedConfig(state: ConfigState): SaveConfigResult {
  const target = state.path;
  if (state.exists || fs.existsSync(target)) return { ok: false, message: `${target} already exists; not overwriting it.`, path: target };
  if (!isSavable(state.source)) return { ok: false, message: `Nothing to save: the stack does not come from an inference or the default.`, path: target };
  const temp = path.join(path.dirname(target), `.${CONFIG_FILE_NAME}.manito-${process.pid}-${Date.now()}`);
  try {
    fs.writeFileSync(temp, `${JSON.stringify(state.stack, null, 2)}\n`, { flag: 'wx' });
    // link() fails with EEXIST when someone wrote manito.json since the check: never clobbered.
    fs.linkSync(temp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'EEXIST' ? `${target} already exists; not overwriting it.` : `Could not write ${target}: ${(error as Error).message}`, path: target };
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const what = state.source === 'inferred' ? `the stack ${state.origin.label}` : 'the embedded default stack';
  return { ok: true, message: `Saved ${what} as ${target}.`, path: target };
}
