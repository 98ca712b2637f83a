// Logical-line structure: directives only at the top, then comments, blank lines and
// instructions; an instruction is its physical pieces up to the end of the logical line,
// followed by the bodies of the heredocs it opened.
parser grammar DockerfileLineParser;

options { tokenVocab = DockerfileLexer; }

dockerfile : DIRECTIVE* ( COMMENT | BLANK_LINE | instruction )* EOF ;

// Text pieces are tokens directly under the instruction (no context object per piece).
instruction : head=( INSTRUCTION_WORD | CONT ) ( TEXT | ESC_CHAR )* EOL heredoc* ;

heredoc : HEREDOC_LINE* HEREDOC_END ;
