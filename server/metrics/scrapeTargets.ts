// What lets a Prometheus (the default stack's `monitoring` service, or any other) scrape every
// running Manito host of the user without knowing their ports: each host keeps one file_sd target
// file in `<state>/prometheus/targets/<pid>.json` while it runs, and `<state>/prometheus/prometheus.yml`
// reads them all. `prometheus --config.file=<state>/prometheus/prometheus.yml` is the whole setup.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { METRICS_PATH } from '../../protocol/http';

export function prometheusDir(stateDir: string): string {
  return path.join(stateDir, 'prometheus');
}

/** The Prometheus config that scrapes every live host through the target files. */
export function prometheusConfigText(stateDir: string): string {
  const targets = path.join(prometheusDir(stateDir), 'targets', '*.json');
  return [
    '# Written by Manito: scrapes GET /metrics of every running Manito host of this user.',
    '# Hosts add and remove their own target file; Prometheus re-reads them on change.',
    'global:',
    '  scrape_interval: 15s',
    'scrape_configs:',
    '  - job_name: manito',
    `    metrics_path: ${METRICS_PATH}`,
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(targets)}]`,
    '        refresh_interval: 5s',
    '',
  ].join('\n');
}

export interface ScrapeTarget {
  stateDir: string;
  pid: number;
  port: number;
  workspace: string;
}

/** Writes this host's target file (and the shared config when it differs); returns the remover. Never throws. */
export function publishScrapeTarget(target: ScrapeTarget, warn: (line: string) => void): () => void {
  const dir = path.join(prometheusDir(target.stateDir), 'targets');
  const file = path.join(dir, `${target.pid}.json`);
  const body = [{ targets: [`127.0.0.1:${target.port}`], labels: { workspace: path.basename(target.workspace), workspace_path: target.workspace } }];
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeAtomic(file, `${JSON.stringify(body, null, 2)}\n`);
    const config = path.join(prometheusDir(target.stateDir), 'prometheus.yml');
    const text = prometheusConfigText(target.stateDir);
    if (readOrNull(config) !== text) writeAtomic(config, text);
  } catch (error) {
    warn(`Could not publish the /metrics scrape target in ${dir}: ${(error as Error).message}`);
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    fs.rmSync(file, { force: true });
  };
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Prometheus re-reads a target file when it changes: it must never see half of one. */
function writeAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, text, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
