// A stack inferred from what a folder holds (no manito.json), with where each part came from: the
// host serves it labelled "inferred", the tree's tooltip shows the provenance, `manito scan` prints it.
import type { StackConfig } from './config';

/** Why one service is in the inferred stack, in words a person reads next to its name. */
export interface ServiceProvenance {
  /** Each source, e.g. `client/package.json scripts.dev (Vite)`, `docker-compose.yml services.redis (image redis:7)`. */
  from: string[];
  /** Where its first preferred port comes from, e.g. `server/index.js:12 process.env.PORT || 8000`. */
  port: string;
  /** Per `env` entry of the service: why it is set, e.g. `client/.env.example VITE_API_URL points at server`. */
  env: Record<string, string>;
  /** Per dependsOn entry: why. */
  dependsOn: Record<string, string>;
  /** The docker-compose service it describes, if any. */
  compose?: string;
  /**
   * True when it is an app of the folder that compose also builds: it runs here as a process, and
   * Manito's compose service of that name gives way to it. Otherwise (an image: Redis, Postgres...)
   * the compose service replaces it, since compose runs the container.
   */
  composeRunsLocally?: true;
}

export interface InferredStack {
  found: true;
  stack: StackConfig;
  provenance: Record<string, ServiceProvenance>;
  /** Files read, and whether a limit (file count, size, depth) cut the reading short. */
  read: { files: number; truncated: boolean };
}

/** Nothing in the folder says what runs there: the caller falls back to the default stack, and says so. */
export interface NothingInferred {
  found: false;
  reason: string;
  read: { files: number; truncated: boolean };
}

export type InferenceResult = InferredStack | NothingInferred;
