// When a component dies, the supervisor restarts it after a pause, unless components keep dying: more
// than MAX_RESTARTS within WINDOW_MS means something is broken for good, and the cluster stops instead.
export const MAX_RESTARTS = 10;
export const WINDOW_MS = 300_000;
export const RESTART_DELAY_MS = 2000;

export class RestartPolicy {
  #restarts: number[] = [];

  /** Records a death at `now`; says whether to restart the component or give up on the cluster. */
  onExit(now: number): "restart" | "give-up" {
    this.#restarts.push(now);
    while (this.#restarts.length && this.#restarts[0]! < now - WINDOW_MS) this.#restarts.shift();
    return this.#restarts.length > MAX_RESTARTS ? "give-up" : "restart";
  }
}
