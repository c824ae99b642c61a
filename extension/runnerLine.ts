// How a service runs, as the last line of its Services tree tooltip says it. No vscode import, so
// the wording for every runner state is tested without VS Code.
import type { ServiceView } from '../protocol/model';
import { md } from './markdownText';

/** Markdown: 'Runs in terminal "server" · pid 123', 'Not running', 'Already running (found, not started by Manito)'. */
export function runnerLine(service: Pick<ServiceView, 'name' | 'runner' | 'pid' | 'hasCommand' | 'reason' | 'container'>): string {
  const how = service.container ? `Runs in container "${md(service.container)}" (docker compose)`
    : service.runner === 'terminal' ? `Runs in terminal "${md(service.name)}"`
    : service.runner === 'process' ? 'Runs as a child of `manito up`'
      : service.runner === 'detected' ? 'Already running (found, not started by Manito)'
        : service.hasCommand ? 'Not running'
          : service.reason === 'inherited' ? 'Served by the process whose port it inherits'
            : 'Not started by Manito (no command)';
  return `${how}${service.pid ? ` · pid ${service.pid}` : ''}`;
}
