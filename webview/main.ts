// Entry point of the dashboard bundle, in the VS Code webview and in the host-served browser tab:
// picks the transport, applies every message to the state, renders, and ticks the clocks.
import type { DashboardAction } from '../protocol/webview';
import { primaryUrl } from '../protocol/model';
import type { DashboardState } from './dashboardState';
import { initialState, markPending, persistable, reduce } from './dashboardState';
import type { ViewOptions } from './render';
import { mountDashboard, relabel, render, tick } from './render';
import type { Transport } from './transport';
import { setStrings, t } from './strings';
import { FeedTransport, VsCodeTransport, inVsCode, takeToken } from './transport';

const NOTICE_MS = 6000;

function createTransport(): Transport {
  if (inVsCode()) return new VsCodeTransport();
  const body = document.body.dataset;
  return new FeedTransport({ feedUrl: body.feedUrl || '/', token: takeToken(body.token || null) });
}

function viewOptions(transport: Transport): ViewOptions {
  if (transport.mode === 'vscode') {
    return {
      mode: 'vscode',
      canControl: true,
      canShowTerminal: true,
      disconnectedHint: t('vscodeDisconnectedHint'),
    };
  }
  return {
    mode: 'browser',
    canControl: transport.canControl,
    canShowTerminal: false,
    readOnlyNote: transport.canControl ? undefined
      : 'Read-only view. To start, stop and restart services here, open this page with ?token=<host token> (the token is in the host\'s discovery file), or use the Manito view in VS Code.',
    disconnectedHint: 'Check that the host is still running (`manito status`); start it with `manito host` in the workspace. This page reconnects by itself.',
  };
}

/** In a browser tab the fallback colours follow the system's light or dark preference, live. */
function followSystemScheme(): void {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => document.body.classList.toggle('browser-dark', dark.matches);
  apply();
  dark.addEventListener('change', apply);
}

function boot(): void {
  const container = document.getElementById('app');
  if (!container) return;
  const transport = createTransport();
  if (transport.mode === 'browser') followSystemScheme();
  let options = viewOptions(transport);
  const root = mountDashboard(container);
  let state: DashboardState = initialState(transport.loadState());

  const update = (next: DashboardState): void => {
    const persistChanged = next.snapshot !== state.snapshot || next.events !== state.events;
    const newNotice = next.notice !== state.notice ? next.notice : null;
    state = next;
    render(root, state, options, Date.now());
    if (persistChanged) transport.saveState(persistable(state));
    // Confirmations fade on their own; errors stay until the next action.
    if (newNotice?.tone === 'info') {
      setTimeout(() => { if (state.notice === newNotice) update({ ...state, notice: null }); }, NOTICE_MS);
    }
  };

  container.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target : null;
    const button = target?.closest<HTMLButtonElement>('button[data-action]');
    if (button && !button.disabled) {
      const action = button.dataset.action as DashboardAction;
      const name = button.dataset.target ?? '';
      if (action === 'openBrowser' && transport.mode === 'browser') {
        const view = state.snapshot?.services.find((s) => s.name === name);
        const url = view ? primaryUrl(view) : null;
        if (url) window.open(url, '_blank', 'noopener,noreferrer');
        return;
      }
      if (action === 'saveConfig') {
        transport.send({ type: 'saveConfig' });
        return;
      }
      if (action !== 'openBrowser' && action !== 'showTerminal') update(markPending(state, name, action));
      if (name === 'stack' && (action === 'start' || action === 'stop')) transport.send({ type: 'stack', action });
      else transport.send({ type: 'action', action, service: name });
      return;
    }
    // In VS Code a link goes through the extension, which knows how to reach localhost from the
    // user's machine (remote, Codespaces); in a browser tab the link opens as it is.
    const link = target?.closest<HTMLAnchorElement>('a[data-service]');
    if (link && transport.mode === 'vscode') {
      e.preventDefault();
      transport.send({ type: 'action', action: 'openBrowser', service: link.dataset.service ?? '' });
    }
  });

  render(root, state, options, Date.now());
  transport.start((message) => {
    if (message.type === 'strings') {
      // The editor's display language: every word is re-read, so rebuild everything.
      setStrings(message.strings);
      options = viewOptions(transport);
      relabel(root);
      render(root, state, options, Date.now());
      return;
    }
    update(reduce(state, message, Date.now()));
  });
  setInterval(() => tick(container, state, Date.now()), 1000);
}

boot();
