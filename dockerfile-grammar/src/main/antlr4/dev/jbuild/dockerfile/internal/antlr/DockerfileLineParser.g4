// Logical-line structure: directives only at the top, then comments, blank lines and
// instructions; an instruction is one logical line (its continuation lines already joined
// by LogicalLines) followed by the bodies of the heredocs it opened. LL(1) throughout, so
// the generated parser never needs adaptive prediction.
parser grammar DockerfileLineParser;

options { tokenVocab = DockerfileLexer; }

dockerfile : DIRECTIVE* ( COMMENT | BLANK_LINE | instruction )* EOF ;

instruction : INSTRUCTION heredoc* ;

heredoc : HEREDOC_LINE* HEREDOC_END ;
