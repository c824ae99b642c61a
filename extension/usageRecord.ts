// Reads the host's usage record (GET /api/usage) for the dashboard panel, which has the editor's
// snapshot over LSP but not the host's WebSocket feed that carries it to the browser dashboard.
import { API_USAGE_PATH } from '../protocol/http';
import type { StackSnapshot } from '../protocol/model';
import type { UsageReport } from '../protocol/usage';

/** The record, or undefined when the host does not answer in time (the view keeps what it has). */
export async function fetchUsage(snapshot: StackSnapshot): Promise<UsageReport | undefined> {
  try {
    const response = await fetch(new URL(API_USAGE_PATH, snapshot.host.url), { signal: AbortSignal.timeout(1500) });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { data?: UsageReport };
    return body.data && Array.isArray(body.data.ports) ? body.data : undefined;
  } catch {
    return undefined;
  }
}
