export * from './read-capped';
export * from './verify-stream';
