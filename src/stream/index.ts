export * from './read-capped';
export * from './verify-stream';
export * from './coalesce';
export * from './parallel-gzip';
export * from './compression';
export * from './compression-detect';
export * from './map-limit';
