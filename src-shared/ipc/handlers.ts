import type { z } from 'zod';
import type { InvokeChannel, InvokeResult, invokeChannels } from './contract';

/**
 * One handler per invoke channel, receiving already-validated arguments. It lives beside the
 * contract so the core depends on the contract only, not on src-main/ipc (the router).
 */
export type Handlers = {
  [C in InvokeChannel]: (
    args: z.output<(typeof invokeChannels)[C]['args']>,
  ) => Promise<InvokeResult<C>>;
};
