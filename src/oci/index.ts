export * from './digest';
export * from './media-types';
export * from './descriptor';
export * from './manifest';
export * from './platform';
export * from './reference';
export * from './parse-documents';
export * from './chain-id';
