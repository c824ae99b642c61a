// Says what config the host serves, in the log (each problem with file, line and column), and
// returns the feed's config event for it.
import { brokenConfigNote, type EventBody } from '../../protocol/model';
import { toConfigError } from '../config/configPositions';
import type { ConfigState } from '../config/loadConfig';
import type { HostLog } from './log';

export function reportConfig(state: ConfigState, log: HostLog): Extract<EventBody, { type: 'config' }> {
  const errors = state.problems.map(toConfigError);
  if (errors.length) {
    for (const p of state.problems) log.error(`${state.path}:${p.line}:${p.column}: ${p.message}`);
    log.warn(`${brokenConfigNote(errors.length, state.source)}.`);
  } else {
    log.info(state.source === 'file' ? `Using ${state.path}` : `No ${state.path}; ${state.source === 'inferred' ? 'serving the stack ' : ''}${state.origin.label}${state.origin.detail ? ` (${state.origin.detail})` : ''}`);
  }
  return { type: 'config', ok: errors.length === 0, source: state.source, errors };
}
