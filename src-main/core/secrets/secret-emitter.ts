import type { SecretEvent, SecretEventType } from './types';

/** The two kinds of news a secret store gives: "something changed" and audit events. */
export class SecretEmitter {
  private readonly changeListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: SecretEvent) => void>();

  /** Subscribes to "something about the keys changed"; returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Subscribes to structured events for the audit trail; returns an unsubscribe. */
  onEvent(listener: (event: SecretEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  protected emitWith(type: SecretEventType, name: string, fingerprint: string | null): void {
    for (const listener of this.eventListeners) listener({ type, name, fingerprint });
  }

  protected changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}
