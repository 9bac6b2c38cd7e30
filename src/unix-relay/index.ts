// The unix-socket tap's public part: the byte-exact relay, and the repair of a takeover a killed
// process left behind.
export { UnixStreamRelay } from './stream-relay.js';
export type { UnixStreamRelayOptions, RelayConnection, RelayFrameEvent, StreamDirection, DirectionCounts } from './stream-relay.js';
export { restoreTakeover } from './takeover.js';
export type { RestoreResult } from './takeover.js';
