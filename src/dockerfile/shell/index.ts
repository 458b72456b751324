export { envFrom, envFromList, EMPTY_ENV, type EnvGetter } from './env';
export { expandWord, expandWords, type ExpandOptions, type ExpandResult, type ExpandWordsResult } from './expand';
