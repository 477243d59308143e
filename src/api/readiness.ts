/**
 * Whether the service can answer work requests yet. `skyclip serve` listens at once and loads
 * the model and the store (building the demo store on a first start) in the background; until
 * then /health reports "starting" with the current stage's progress and every work endpoint
 * answers 503 NOT_READY with Retry-After. The services live here once loaded, so a request
 * handler either gets all of them or none.
 *
 *   const readiness = new Readiness<Services>();
 *   readiness.progress({ stage: 'embed', done: 120, total: 3000 });
 *   readiness.ready(services);              // or readiness.fail('model not found: ...')
 *   Readiness.readyWith(services);           // tests: ready from the start
 */
export interface StartupProgress {
  /** What is being done: 'load-model', 'simulate', 'embed', 'open-store', ... */
  stage: string;
  done: number;
  total: number;
}

export type ReadinessState<S> =
  | { state: 'starting'; progress: StartupProgress | null; since: string }
  | { state: 'ready'; services: S; since: string }
  | { state: 'failed'; message: string; since: string };

export class Readiness<S> {
  private current: ReadinessState<S> = { state: 'starting', progress: null, since: new Date().toISOString() };

  static readyWith<S>(services: S): Readiness<S> {
    const r = new Readiness<S>();
    r.ready(services);
    return r;
  }

  get snapshot(): ReadinessState<S> {
    return this.current;
  }

  get state(): ReadinessState<S>['state'] {
    return this.current.state;
  }

  /** The services when ready, else undefined. */
  get services(): S | undefined {
    return this.current.state === 'ready' ? this.current.services : undefined;
  }

  progress(progress: StartupProgress): void {
    if (this.current.state === 'starting') this.current = { ...this.current, progress: { ...progress } };
  }

  ready(services: S): void {
    this.current = { state: 'ready', services, since: new Date().toISOString() };
  }

  fail(message: string): void {
    this.current = { state: 'failed', message, since: new Date().toISOString() };
  }

  /** Back to "starting" (shutting down: new work is refused while services close). */
  stopping(): void {
    this.current = { state: 'starting', progress: { stage: 'shutting-down', done: 0, total: 1 }, since: new Date().toISOString() };
  }
}
