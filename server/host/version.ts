// The host's version, from the package manifest (bundled in by esbuild).
import { version } from '../../package.json';

export const HOST_VERSION: string = version;
