/** Decides whether a remembered key may leave the keychain (Touch ID on macOS). */
export interface UnlockGate {
  kind: 'touch-id' | 'none';
  /** True when the gate can actually ask the user (e.g. Touch ID hardware enrolled). */
  available(): Promise<boolean>;
  /**
   * Asks the user, at release time; a cancel or failure is 'denied', and so is a gate that
   * cannot ask right now (a key that requires the prompt never leaves unasked).
   */
  request(reason: string): Promise<'granted' | 'denied'>;
}

/** The gate on Linux and Windows, where no biometric prompt exists: always grants. */
export class AlwaysGrant implements UnlockGate {
  readonly kind = 'none' as const;

  /** Nothing to ask, so nothing is "available" to the user. */
  async available(): Promise<boolean> {
    return false;
  }

  /** Grants without asking. */
  async request(_reason: string): Promise<'granted'> {
    return 'granted';
  }
}

/**
 * A test double for the Touch ID gate (which cannot exist on Linux): answers from a script,
 * then repeats the last answer, and records every reason it was asked with.
 */
export class ScriptedGate implements UnlockGate {
  readonly kind = 'touch-id' as const;
  readonly requests: string[] = [];
  private readonly answers: Array<'granted' | 'denied'>;

  constructor(answers: Array<'granted' | 'denied'> = ['granted']) {
    this.answers = [...answers];
  }

  /** Always available, like a Mac with Touch ID enrolled. */
  async available(): Promise<boolean> {
    return true;
  }

  /** Records the request and returns the next scripted answer. */
  async request(reason: string): Promise<'granted' | 'denied'> {
    this.requests.push(reason);
    const answer = this.answers.length > 1 ? this.answers.shift() : this.answers[0];
    return answer ?? 'denied';
  }
}
