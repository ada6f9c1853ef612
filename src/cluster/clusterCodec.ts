import { EventCodec } from '../../engine/codec/index.js';
import { clusterEventSchemas } from './events.js';

/** A codec that knows every cluster event (one per log handle: its Encoder is reused). */
export function clusterCodec(): EventCodec {
  return new EventCodec().register(...clusterEventSchemas);
}
