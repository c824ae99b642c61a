// The YAML library, required at the first compose file read rather than when the host loads: most
// hosts never read one (and `manito up` waits on every module it loads), while the library is a
// fifth of the host bundle. esbuild bundles it all the same and runs its code at the first call.
type Yaml = typeof import('yaml');
let lib: Yaml | undefined;

export function yaml(): Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see above
  lib ??= require('yaml') as Yaml;
  return lib;
}
