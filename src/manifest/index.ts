export * from './objects.js';
export { parseManifests, type ParsedManifests } from './parseManifests.js';
export { loadManifests } from './loadManifests.js';
