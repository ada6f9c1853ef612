export type { EventSchema } from './EventSchema.js';
export { EventCodec, DecodeFailure, type EventEnvelope, type EncodedEvent } from './EventCodec.js';
export { MsgpackReader, MsgpackError } from './MsgpackReader.js';
export { MsgpackWriter } from './MsgpackWriter.js';
