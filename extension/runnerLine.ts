// How a service runs, as the last line of its Services tree tooltip says it. No vscode import, so
// the wording for every runner state is tested without VS Code.
import type { ServiceView } from '../protocol/model';
import { md } from './markdownText';

/** Markdown: 'Runs in terminal "server" · pid 123', 'Not running', 'External: found running, not started by Manito'. */
export function runnerLine(service: Pick<ServiceView, 'name' | 'runner' | 'pid' | 'hasCommand' | 'reason'>): string {
  const how = service.runner === 'terminal' ? `Runs in terminal "${md(service.name)}"`
    : service.runner === 'process' ? 'Runs as a process Manito started'
      : service.runner === 'detected' ? 'External: found running, not started by Manito (Stop asks first)'
        : service.hasCommand ? 'Not running'
          : service.reason === 'inherited' ? 'Served by the process whose port it inherits'
            : 'Not started by Manito (no command)';
  return `${how}${service.pid ? ` · pid ${service.pid}` : ''}`;
}
