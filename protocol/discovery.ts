// The discovery record a host leaves in the user's state folder so the CLI and app helpers can
// find it; the folder itself is resolved in server/discovery/statePaths.ts.

export interface DiscoveryRecord {
  version: 1;
  pid: number;
  port: number;
  url: string;
  workspace: string;
  token: string;
  startedAt: string;
}
