/**
 * Assertions on RX/TX timestamps and packet metadata for test scripts: plain functions for any
 * runner, and vitest matchers installed with `installMatchers(expect)`.
 *
 * @module disptap/testing
 */
// disptap/testing: assertions on RX/TX timestamps and packet metadata for test scripts.
// Plain functions work under any runner; vitest users add the matchers with installMatchers(expect).
// Nothing here imports vitest at run time (vitest.ts takes only its types).
export {
  assertRxTimestamp,
  assertHardwareTimestamp,
  assertRxTimestampBetween,
  assertReadDelayBelow,
  assertArrivesOn,
  assertSentWithTtl,
  assertMonotonicRxTimestamps,
  assertArrivesComplete,
  assertTxTimestampBefore,
  checks,
  checkTxTimestampBeforeAsync,
  isRxMessage,
} from './assertions.js';
export type {
  CheckResult,
  SentDatagram,
  TxSource,
  TxBeforeOptions,
  InterfaceRef,
  WithRxTimestamp,
  WithReadDelay,
  WithHardwareTimestamp,
  WithDestination,
} from './assertions.js';
export { installMatchers, disptapMatchers } from './vitest.js';
export type { DisptapAssertions, DisptapMatcherFunctions, ExtendableExpect, MatcherContext, MatcherResult } from './vitest.js';
export { capture, sendAndCapture } from './capture.js';
export type { CaptureOptions, SendAndCaptureOptions, SendAndCaptureResult, Payload } from './capture.js';
export { clock, estimateClockOffset, toRealtimeNs, toMonotonicNs } from './clock.js';
export type { ClockOffset, EstimateClockOffsetOptions } from './clock.js';
export { fmtDur as formatDuration, fmtTime as formatTimestamp } from './format.js';
