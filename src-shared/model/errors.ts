/** Error codes a handler may return; the message always says what to do. */
export type ErrorCode =
  | 'unknown-channel'
  | 'bad-arguments'
  | 'untrusted-sender'
  | 'not-found'
  | 'conflict'
  | 'failed'
  | 'internal';

/** The error half of an IPC result. */
export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** What every invoke returns: never a thrown error across the boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** An error a core function throws on purpose; its message is shown to the user. */
export class UserError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
