// GET /metrics of a real headless host: the Prometheus text format (checked by Prometheus's own
// promtool), no token needed, and a real Prometheus that scrapes it answers a query for a Manito
// series. The contested port lands in the workspace's usage record on disk.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { usageFile } from '../../server/metrics/usageStore';
import { exitOf, freePorts, getJson, makeWorkspace, startHeadless, until } from './support/hostProcess';
import { waitForLine } from './support/realServers';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const INSTALL = 'apt-get install prometheus (scripts/install-system-packages.sh --tests installs it)';

test('a real Prometheus scrapes /metrics of a real host and its query API returns Manito series', { timeout: 180_000 }, async (t) => {
  assert.ok(fs.existsSync(PROMETHEUS) && fs.existsSync(PROMTOOL), `Prometheus is not installed: ${INSTALL}`);
  const [held, promPort] = await freePorts(2);
  // A foreign holder of api's preferred port: the host falls back, a conflict and a usage entry.
  const holder = net.createServer().listen(held, '127.0.0.1');
  await new Promise((r) => holder.once('listening', r));
  const ws = makeWorkspace({ services: { api: { preferred: [held!], kind: 'http' } } });
  const host = await startHeadless(ws);
  let prometheus: ChildProcess | undefined;
  t.after(async () => {
    prometheus?.kill('SIGKILL');
    if (prometheus) await exitOf(prometheus);
    await host.stop();
    holder.close();
    ws.cleanup();
  });
  const promDir = fs.mkdtempSync(path.join(ws.stateDir, '..', 'prometheus-'));
  // The config the host writes for the `monitoring` service: it finds every live host through
  // their target files, so nobody types a host port. Only the interval is shortened for the test.
  const written = fs.readFileSync(path.join(ws.stateDir, 'prometheus', 'prometheus.yml'), 'utf8');
  assert.match(written, /file_sd_configs:/);
  const target = JSON.parse(fs.readFileSync(path.join(ws.stateDir, 'prometheus', 'targets', `${host.child.pid}.json`), 'utf8'));
  assert.deepEqual(target[0].targets, [`127.0.0.1:${host.port}`]);
  fs.writeFileSync(path.join(promDir, 'prometheus.yml'), written.replace('scrape_interval: 15s', 'scrape_interval: 1s\n  scrape_timeout: 1s'));
  prometheus = spawn(PROMETHEUS, [
    `--config.file=${path.join(promDir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const res = await fetch(`${host.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  const text = await res.text();
  assert.match(text, /^manito_port_assignments_total\{service="api",reason="fallback"\} 1$/m);
  assert.match(text, /^manito_port_conflicts_total\{service="api",cause="process"\} 1$/m);
  assert.match(text, /^manito_service_health\{service="api",state="stopped"\} 1$/m);
  assert.match(text, /^process_resident_memory_bytes \d+$/m);
  const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  const head = await fetch(`${host.url}/metrics`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');

  await waitForLine(prometheus, /Server is ready to receive web requests/, 60_000, 'prometheus');
  const query = (q: string) => getJson(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
  const series = await until(async () => {
    const { body } = await query('manito_port_assignments_total{service="api"}');
    return body?.data?.result?.length ? body.data.result : undefined;
  }, 60_000, 'Prometheus to have scraped a Manito series');
  assert.equal(series[0].metric.job, 'manito');
  assert.equal(series[0].metric.workspace, path.basename(ws.dir), 'the target file\'s labels reach the series');
  assert.equal(series[0].metric.reason, 'fallback');
  assert.equal(series[0].value[1], '1');
  const up = await query('up{job="manito"}');
  assert.equal(up.body.data.result[0].value[1], '1', 'the scrape itself succeeds');

  // The host writes the contest to the workspace's usage record when it stops, and takes its target away.
  await host.stop();
  assert.equal(fs.existsSync(path.join(ws.stateDir, 'prometheus', 'targets', `${host.child.pid}.json`)), false);
  const usage = JSON.parse(fs.readFileSync(usageFile(ws.stateDir, ws.dir), 'utf8'));
  assert.equal(usage.workspace, ws.dir);
  assert.equal(usage.ports[0].port, held);
  assert.deepEqual(usage.ports[0].services, [{ service: 'api', count: 1 }]);
  assert.equal(usage.ports[0].holders[0].kind, 'process');
  assert.equal(usage.ports[0].holders[0].pid, process.pid);
});
