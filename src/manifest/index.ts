export * from './objects.js';
export { parseManifests, readManifestValues, type ParsedManifests } from './parseManifests.js';
export { loadManifests } from './loadManifests.js';
