/**
 * Whether anyone is looking at the app's live figures: a window that is shown and not minimised,
 * or a browser-host page that is connected. Work that only feeds a view (CPU and memory
 * sampling) runs while someone looks and stops when nobody does, so an idle tray app in the
 * background costs next to nothing.
 */
export class Attention {
  private readonly lookers = new Set<string>();
  private readonly listeners = new Set<(looking: boolean) => void>();

  /** True while at least one window or page says it is visible. */
  get looking(): boolean {
    return this.lookers.size > 0;
  }

  /** `who` (a window or a connection) is now visible (`true`) or hidden/closed (`false`). */
  set(who: string, visible: boolean): void {
    const before = this.looking;
    if (visible) this.lookers.add(who);
    else this.lookers.delete(who);
    if (this.looking === before) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(this.looking);
      } catch {
        // A failing listener must not keep the others from hearing of the change.
      }
    }
  }

  /** Called with the new value each time `looking` flips; returns an unsubscribe. */
  onChange(listener: (looking: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
