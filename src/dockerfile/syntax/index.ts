export { newNode, nodeArgs, chainValues, type Node, type Heredoc } from './ast';
export { DirectiveParser, EscapeState, type Directive } from './directives';
export { parseHeredoc, heredocsFromLine, chompHeredocContent, HEREDOC_INSTRUCTIONS } from './heredoc';
export { parseSyntax, type SyntaxResult, type ParseWarning } from './parser';
export { dumpNode } from './dump';
export { splitLines, trimNewline, MAX_LINE_BYTES } from './lines';
