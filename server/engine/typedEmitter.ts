// A small typed event emitter: `on` returns its own unsubscribe, and a listener that throws is
// reported without stopping the others or the engine that emitted.

export class TypedEmitter<E> {
  private readonly listeners = new Set<(event: E) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = (error) => console.error('manito engine: event listener failed', error)) {}

  on(listener: (event: E) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
