export * from './ipv4.js';
export * from './mac.js';
