import { reportSwallowed } from './diag/report-once';

/** Calls a user hook (`producerHook`, `consumerHook`); whatever it throws stays here. @internal */
export function callHook<A, B>(hook: ((a: A, b: B) => void) | undefined, a: A, b: B): void {
  if (!hook) return;
  try {
    hook(a, b);
  } catch (err) {
    // Hooks are the user's code running inside ours: their failure must not fail a send or a handler.
    reportSwallowed('hook', err);
  }
}
