/** The Dockerfile front end: parse, type, expand, ignore, check. See README.md. */
export { parseDockerfile, findDirective, type ParsedDockerfile } from './parse-dockerfile';
export { parseSyntax, dumpNode, nodeArgs, type Node, type Heredoc, type Directive, type ParseWarning, type SyntaxResult } from './syntax';
export * from './instructions';
export { expandWord, expandWords, envFrom, envFromList, EMPTY_ENV, type EnvGetter, type ExpandOptions, type ExpandResult, type ExpandWordsResult } from './shell';
export { IgnoreMatcher, readIgnoreFile, loadIgnoreFile, walkContext, type ContextEntry, type IgnoreFile } from './ignore';
export * from './checks';
export { formatDockerfileError, type SourcePosition, type SourceRange } from './errors';
