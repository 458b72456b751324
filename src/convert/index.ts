export { resolveInRoot, readFileInRoot } from './read-in-root';
export { resolveImageUser, parsePasswd, parseGroup, type ExecUser } from './resolve-user';
export * from './runtime-spec';
export * from './bundle';
