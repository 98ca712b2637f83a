// Physical lines of a Dockerfile, one token each: blank, comment, or anything else.
//
// Deliberately tiny (no modes, predicates or actions): what a line means depends on state
// carried across lines (the escape directive, continuations, heredoc bodies), which
// LogicalLines tracks in plain Java while it turns these tokens into the parser's logical
// lines. A small grammar keeps ATN deserialisation and DFA warm-up cheap in a fresh JVM, and
// one token per line keeps the per-character work to a DFA step.
lexer grammar DockerfileLexer;

// Assigned by LogicalLines, never by this lexer.
tokens { DIRECTIVE, INSTRUCTION, HEREDOC_LINE, HEREDOC_END }

fragment NL : '\n' ;
// Go's unicode.IsSpace minus '\n' (BuildKit trims with it).
fragment SP : [ \t\u000B\f\r\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000] ;

// Each line ends with its NL or the end of input, never an optional NL: then the DFA states
// inside a line are not accepting, so the lexer does not record an accept position per character.
BLANK_LINE : SP* NL | SP+ EOF ;

COMMENT : SP* '#' ~[\n]* ( NL | EOF ) ;

LINE : SP* ~[#\n \t\u000B\f\r\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000] ~[\n]* ( NL | EOF ) ;
