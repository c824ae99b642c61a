// How times read everywhere Manito shows one: the Services tree's tooltips, the dashboard and the
// log channel all use these, so "14:03:09" in one matches "14:03:09" in the other.

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local wall-clock time, 24-hour: "14:03:09"; '' for an unparseable time. */
export function formatClock(time: string | number | Date): string {
  const d = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(d.getTime())) return '';
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A log line's stamp: the local date and the same clock, "2026-12-02 14:03:09". */
export function formatLogTime(time: string | number | Date): string {
  const d = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(d)}`;
}

/** "0s", "42s", "3m 07s", "2h 05m", "3d 4h": two units at most, the way people read elapsed time. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) ms = 0;
  const totalSec = Math.floor(ms / 1000);
  if (totalSec < 60) return `${totalSec}s`;
  const totalMin = Math.floor(totalSec / 60);
  if (totalMin < 60) return `${totalMin}m ${pad2(totalSec % 60)}s`;
  const totalHours = Math.floor(totalMin / 60);
  if (totalHours < 24) return `${totalHours}h ${pad2(totalMin % 60)}m`;
  return `${Math.floor(totalHours / 24)}d ${totalHours % 24}h`;
}
