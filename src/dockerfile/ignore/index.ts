export { IgnoreMatcher } from './matcher';
export { IgnorePattern } from './pattern';
export { readIgnoreFile, loadIgnoreFile, type IgnoreFile } from './read';
export { walkContext, type ContextEntry } from './walker';
export { cleanPath } from './clean-path';
