// Dispatcher transit latency: pair what entered with what left, report the time in between.
export { TransitPairer } from './pairer.js';
export type { TransitOptions, TransitSummary } from './pairer.js';
export { pairTransit } from './streams.js';
export type { PairStreamsOptions } from './streams.js';
export { classifyTransit } from './classify.js';
export type { TransitClassifier, ClassifiableRecord } from './classify.js';
export type { TransitMatcher } from './matcher.js';
export { byteMatcher } from './byte-matcher.js';
export { scmpEchoMatcher } from './scmp-matcher.js';
export type { ScmpInfoDecoder } from './scmp-matcher.js';
export { scmpInfo } from './scion-scmp.js';
export type { ScmpInfo } from './scion-scmp.js';
export { LatencyStats } from './latency-stats.js';
export type { LatencySummary } from './latency-stats.js';
export { formatNs, formatTransitEvent, formatTransitSummary, transitEventToJSON, transitSummaryToJSON } from './format.js';
export type { TransitRecord, TransitSide, TransitClock, TransitPair, TransitUnmatched, TransitEvent, UnmatchedReason } from './types.js';
