// pcapng capture files: writer for `--write`, reader for `disptap decode`, and the pieces.
export { PcapngWriter } from './writer.js';
export type { CaptureRecord, CaptureInterface, WriterOptions, FdWriterOptions } from './writer.js';
export { readPcapng } from './reader.js';
export type { PcapngFile, PcapngInterface, PcapngPacket, PcapngSection, ReadError, ReadErrorCode } from './reader.js';
export { synthesizeUdp, resolvePair, internetChecksum } from './synth.js';
export type { Endpoint, SynthInput, SynthPacket } from './synth.js';
export { dissectUdp } from './dissect.js';
export type { DissectedUdp } from './dissect.js';
export { formatMetaComment, parseMetaComment, META_PREFIX } from './comments.js';
export type { PacketMeta, TimestampSource } from './comments.js';
export {
  encodeSectionHeader,
  encodeInterfaceDescription,
  encodeEnhancedPacket,
  LINKTYPE_RAW,
  LINKTYPE_IPV4,
  misreadAsRaw,
  DIRECTION_INBOUND,
  DIRECTION_OUTBOUND,
} from './blocks.js';
export type { Direction, SectionHeaderOptions, InterfaceOptions, EnhancedPacketOptions } from './blocks.js';
