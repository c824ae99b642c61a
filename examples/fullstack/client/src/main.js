// Talks to the API through Vite's proxy (same origin), so the page never hard-codes a port.
const hello = document.getElementById('hello');
const socketLine = document.getElementById('socket');
const feed = document.getElementById('feed');

async function refresh() {
  try {
    const body = await (await fetch('/api/hello')).json();
    hello.textContent = `${body.message} · visits ${body.visits ?? '?'} (${body.redis})`;
  } catch (error) {
    hello.textContent = `API unreachable: ${error}`;
  }
}

const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
ws.addEventListener('open', () => { socketLine.textContent = `WebSocket: connected (API port ${__API_PORT__})`; });
ws.addEventListener('close', () => { socketLine.textContent = 'WebSocket: closed'; });
ws.addEventListener('message', (event) => {
  feed.textContent = `${event.data}\n${feed.textContent}`.split('\n').slice(0, 10).join('\n');
});

void refresh();
setInterval(refresh, 5000);
