export { EventLog, type StoredEvent, type StoredSnapshot, type OpenOptions } from './EventLog.js';
