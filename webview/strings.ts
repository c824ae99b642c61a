// The dashboard's words: English from protocol/dashboardStrings until the extension sends the
// table in the editor's display language.
import { DASHBOARD_STRINGS, type DashboardStringKey, type DashboardStrings, fillTemplate, validDashboardStrings } from '../protocol/dashboardStrings';

let table: DashboardStrings = { ...DASHBOARD_STRINGS };

/** Replaces the known keys the message carries; the rest stay English. */
export function setStrings(strings: unknown): void {
  table = { ...DASHBOARD_STRINGS, ...validDashboardStrings(strings) };
}

export function t(key: DashboardStringKey, ...args: Array<string | number>): string {
  return fillTemplate(table[key], args);
}
