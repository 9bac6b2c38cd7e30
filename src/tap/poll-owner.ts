// Routes a native socket's readiness to the tap or capture that owns it.
//
// The native side keeps its poll handler strongly and its own JS object weakly (strongly only while
// polling), and calls the handler with that object as `this`. So the handler is one shared function
// and the owner hangs off the native object: an idle, unclosed owner stays collectable (the cycle
// owner ↔ native object has no root), with no WeakRef.deref() per wake-up — each deref adds the
// target to the engine's kept-objects set, a visible cost when many sockets wake for a datagram each.
const OWNER = Symbol('disptap.pollOwner');

export interface PollOwner {
  onPollEvent(status: number, events: number): void;
}

type Owned = { [OWNER]?: PollOwner };

export function dispatchPoll(this: Owned, status: number, events: number): void {
  this[OWNER]?.onPollEvent(status, events);
}

export function attachPollOwner(sock: object, owner: PollOwner): void {
  (sock as Owned)[OWNER] = owner;
}
