// Logical-line structure: directives only at the top, then comments, blank lines and
// instructions; an instruction is its physical pieces up to the end of the logical line,
// followed by the bodies of the heredocs it opened.
parser grammar DockerfileLineParser;

options { tokenVocab = DockerfileLexer; }

dockerfile : DIRECTIVE* ( COMMENT | BLANK_LINE | instruction )* EOF ;

instruction : head=( INSTRUCTION_WORD | CONT ) piece* EOL heredoc* ;

piece : TEXT | ESC_CHAR | CONT | SKIPPED ;

heredoc : HEREDOC_LINE* HEREDOC_END ;
