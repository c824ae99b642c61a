// Whether a command-line tool is installed: an executable file of that name in a PATH folder.
// The I/O edge of inference; the pure part takes the answer as a function.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `yarn` is on PATH here (`.cmd`/`.exe` too on Windows). Never throws. */
export function onPath(tool: string, pathVariable = process.env.PATH ?? ''): boolean {
  const names = process.platform === 'win32' ? [`${tool}.cmd`, `${tool}.exe`, tool] : [tool];
  for (const dir of pathVariable.split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      try {
        fs.accessSync(path.join(dir, name), fs.constants.X_OK);
        if (fs.statSync(path.join(dir, name)).isFile()) return true;
      } catch {
        // Not here: the next folder.
      }
    }
  }
  return false;
}
