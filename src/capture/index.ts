// Passive capture: watch UDP traffic of sockets you do not own (AF_PACKET + kernel BPF filter).
export { Capture, openCapture } from './capture.js';
export type { CaptureReceiveOptions, CaptureStats } from './capture.js';
export type { OpenCaptureOptions, CaptureTimestampMode } from './options.js';
export type { CaptureRecord, CaptureDirection, CaptureEndpoint, CaptureIpInfo, PacketType } from './record.js';
export { buildUdpFilter, MAX_FILTER_RANGES } from './filter.js';
export type { UdpFilterSpec, DirectionFilter, PortMatch } from './filter.js';
export { BpfAssembler, disassemble, encodeProgram, validateProgram } from './bpf.js';
export type { BpfInstruction } from './bpf.js';
export { normalizePorts, parsePortSpec, inRanges, formatRanges } from './ports.js';
export type { PortRange, PortSpec } from './ports.js';
export { parsePacket } from './parse.js';
export type { ParsedPacket } from './parse.js';
export { permissionError, RELAY_HINT } from './errors.js';
export type { CapturePermissionError } from './errors.js';
export { captureRecordToJSON } from './ndjson.js';
export type { CaptureRecordJSON } from './ndjson.js';
export { toPcapngRecord } from './pcapng.js';
