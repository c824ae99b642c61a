// The extension-host suite's entry: VS Code loads the bundle (out/test/suite/index.js) as
// extensionTestsPath and awaits run(). Add suite files by importing them here.
import './smoke';
import { runRegistered } from './runner';

export function run(): Promise<void> {
  return runRegistered();
}
