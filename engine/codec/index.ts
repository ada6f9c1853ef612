export type { EventSchema } from './EventSchema.js';
export { EventCodec, DecodeFailure, type EventEnvelope, type EncodedEvent, type SharedParts } from './EventCodec.js';
export { MsgpackReader, MsgpackError } from './MsgpackReader.js';
export { MsgpackWriter } from './MsgpackWriter.js';
export { FieldCursor } from './FieldCursor.js';
