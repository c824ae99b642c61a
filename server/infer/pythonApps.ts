// Python web apps where a file says so: a Django manage.py, a module that creates a FastAPI() or
// Flask() app. Looked for at the root, in the usual layouts and in compose build contexts. Pure.
import * as path from 'node:path';
import { FRAMEWORKS, type FrameworkSpec } from './frameworkPorts';
import { USUAL_LAYOUTS } from './packageApps';

export interface PythonApp {
  dir: string;
  name: string;
  framework: FrameworkSpec;
  command: string;
  from: string;
  /** The module file that creates the app (or manage.py). */
  entry: string;
}

const APP_FILES = ['main.py', 'app.py', 'server.py', 'wsgi.py', 'run.py', 'api.py', 'application.py'];

/** `apps/*` style layouts become a test on the folder's parent. */
function inLayout(dir: string, extraDirs: readonly string[]): boolean {
  if (dir === '' || extraDirs.includes(dir)) return true;
  return USUAL_LAYOUTS.some((g) => (g.endsWith('/*') ? path.posix.dirname(dir) === g.slice(0, -2) : dir === g));
}

export function pythonApps(files: ReadonlyMap<string, string>, extraDirs: readonly string[] = []): PythonApp[] {
  const apps: PythonApp[] = [];
  const seen = new Set<string>();
  const add = (app: PythonApp) => {
    if (seen.has(app.dir)) return;
    seen.add(app.dir);
    apps.push(app);
  };
  const name = (dir: string) => (dir ? path.posix.basename(dir) : 'server');
  for (const [file, text] of files) {
    if (path.posix.basename(file) !== 'manage.py' || !/django/i.test(text)) continue;
    const dir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
    if (!inLayout(dir, extraDirs)) continue;
    add({ dir, name: name(dir), framework: FRAMEWORKS.django!, command: FRAMEWORKS.django!.command!, from: `${file} (Django)`, entry: file });
  }
  for (const [file, text] of files) {
    const base = path.posix.basename(file);
    if (!APP_FILES.includes(base)) continue;
    // The app folder is the file's own, or its parent for `app/main.py` (run as the module `app.main`).
    const fileDir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
    const parent = fileDir.includes('/') ? path.posix.dirname(fileDir) : '';
    const dir = inLayout(fileDir, extraDirs) ? fileDir : inLayout(parent, extraDirs) ? parent : null;
    if (dir === null) continue;
    const module = path.posix.relative(dir || '.', file).replace(/\.py$/, '').split('/').join('.');
    const fastapi = /^(\w+)\s*=\s*FastAPI\(/m.exec(text);
    const flask = /^(\w+)\s*=\s*Flask\(/m.exec(text);
    if (fastapi) {
      add({ dir, name: name(dir), framework: FRAMEWORKS.fastapi!, command: `uvicorn ${module}:${fastapi[1]} --reload --port \${port}`, from: `${file} (FastAPI)`, entry: file });
    } else if (flask) {
      add({ dir, name: name(dir), framework: FRAMEWORKS.flask!, command: `flask --app ${module}:${flask[1]} run --port \${port}`, from: `${file} (Flask)`, entry: file });
    }
  }
  return apps;
}
