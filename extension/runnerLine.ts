// How a service runs, as the last line of its Services tree tooltip says it. No vscode import, so
// the wording for every runner state is tested without VS Code.
import type { ServiceView } from '../protocol/model';
import { md } from './markdownText';

/** Translates an English template with {0}-style placeholders; the extension passes vscode.l10n.t. */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

const english: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));

/** Markdown: 'Runs as a process Manito started · pid 123', 'Not running', 'External: found running, not started by Manito'. */
export function runnerLine(service: Pick<ServiceView, 'name' | 'runner' | 'pid' | 'hasCommand' | 'reason' | 'container' | 'published' | 'instances'>, t: Translate = english): string {
  const how = service.container ? t('Runs in container "{0}" (docker compose)', md(service.container))
    // The front is the host's own listener, not a process of the service: its instances are.
    : service.instances && service.runner === 'process' ? t('Front port served by the Manito host, round-robin over its instances')
    : service.runner === 'process' ? t('Runs as a process Manito started')
        : service.runner === 'detected' ? t('External: found running, not started by Manito (Stop asks first)')
          : service.hasCommand ? t('Not running')
            : service.reason === 'inherited' ? t('Served by the process whose port it inherits')
              : t('Not started by Manito (no command)');
  return `${how}${service.pid ? ` · ${t('pid {0}', service.pid)}` : ''}${publishedLine(service, t)}`;
}

/** A compose service's port: published by Docker from the host to the container's own port; no PORT is passed. */
export function publishedLine(service: Pick<ServiceView, 'published'>, t: Translate = english): string {
  const p = service.published;
  if (!p) return '';
  return `\n\n${t('Published {0} → container port {1}: Docker maps it, no PORT is passed to the container', `${p.hostIp}:${p.hostPort}`, p.containerPort)}`;
}
