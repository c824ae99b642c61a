// A minimal test registry for suites that run inside VS Code's extension host (no mocha there):
// `test(name, fn)` registers, `runRegistered()` runs them in order, logs each result and rejects
// when any failed, which makes the workbench report a non-zero exit code to the harness.
interface RegisteredTest {
  name: string;
  fn: () => unknown | Promise<unknown>;
  timeoutMs: number;
}

const tests: RegisteredTest[] = [];

export function test(name: string, fn: () => unknown | Promise<unknown>, options: { timeoutMs?: number } = {}): void {
  tests.push({ name, fn, timeoutMs: options.timeoutMs ?? 60_000 });
}

/** Polls `probe` until it returns a truthy value; rejects with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runRegistered(): Promise<void> {
  const failures: string[] = [];
  for (const t of tests) {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(t.fn),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${t.timeoutMs} ms`)), t.timeoutMs);
        }),
      ]);
      console.log(`ok - ${t.name} (${Date.now() - started} ms)`);
    } catch (error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`not ok - ${t.name}\n${detail}`);
      failures.push(t.name);
    } finally {
      clearTimeout(timer);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} extension-host test(s) failed: ${failures.join('; ')}`);
}
