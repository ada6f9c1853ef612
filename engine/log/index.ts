export { EventLog, FORMAT_VERSION, type StoredEvent, type StoredSnapshot, type ChunkRow, type OpenOptions } from './EventLog.js';
export { Chunk, ChunkError, CHUNK_EVENTS } from './Chunk.js';
