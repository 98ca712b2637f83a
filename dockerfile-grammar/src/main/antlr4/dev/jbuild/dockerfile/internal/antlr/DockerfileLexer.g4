// Physical-line structure of a Dockerfile. The lexer owns everything that depends on
// state carried across lines (the escape directive, continuations, heredoc bodies),
// so the parser only sees a clean sequence of logical lines.
lexer grammar DockerfileLexer;

@header {
import dev.jbuild.dockerfile.internal.ast.LexerHooks;
}

@members {
// State lives in LexerHooks (plain Java, unit-testable); the grammar only calls into it.
private final LexerHooks hooks = new LexerHooks();

public LexerHooks hooks() { return hooks; }

private boolean escapeJustMatched(boolean checkBehind) {
    return hooks.isContinuation(_input.LA(-1), _input.LA(-2), checkBehind);
}

@Override
public Token emit() {
    Token t = super.emit();
    hooks.tokenEmitted(t.getType(), t.getText(), t.getLine());
    return t;
}

@Override
public Token nextToken() {
    Token t = super.nextToken();
    if (t.getType() == EOF && (_mode == ARGS || _mode == CONT_LINE)) {
        // A file may end inside a logical line; give the parser the EOL it expects.
        endLogicalLine();
        return _factory.create(_tokenFactorySourcePair, EOL, "", DEFAULT_TOKEN_CHANNEL,
                t.getStartIndex(), t.getStartIndex() - 1, t.getLine(), t.getCharPositionInLine());
    }
    return t;
}

private void endLogicalLine() {
    if (hooks.endLogicalLine()) {
        mode(HEREDOC);
    } else {
        mode(DEFAULT_MODE);
    }
}

private void heredocLine() {
    if (hooks.heredocLine(getText())) {
        setType(HEREDOC_END);
        if (!hooks.heredocPending()) {
            mode(DEFAULT_MODE);
        }
    }
}
}

tokens { DIRECTIVE, HEREDOC_END }

fragment NL : '\n' ;
// Go's unicode.IsSpace minus '\n' (BuildKit trims with it).
fragment SP : [ \t\u000B\f\r\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000] ;

BLANK_LINE : ( SP* NL | SP+ EOF ) { hooks.nonDirectiveLine(); } ;

COMMENT : SP* '#' ~[\n]* NL? { if (hooks.commentLine(getText(), _tokenStartLine)) setType(DIRECTIVE); } ;

// An escape alone on the first line of an instruction (BuildKit's `^\\[ \t]*$` branch).
LEAD_CONT : SP* [\\`] {escapeJustMatched(false)}? [ \t]* ( NL | EOF )
    { hooks.instructionStart(_tokenStartLine); setType(CONT); mode(CONT_LINE); } ;

INSTRUCTION_WORD : SP* ~[#\n \t\u000B\f\r\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]
                       ~[\n \t\u000B\f\r\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\\`]*
    { hooks.instructionStart(_tokenStartLine); mode(ARGS); } ;

mode ARGS;

EOL : NL { endLogicalLine(); } ;
// Continuations and the comment and blank lines inside them are skipped, not emitted: a hostile
// file of millions of them must not cost a token (and a parse-tree node) each.
CONT : [\\`] {escapeJustMatched(true)}? [ \t]* ( NL | EOF ) -> skip, mode(CONT_LINE) ;
ESC_CHAR : [\\`] ;
TEXT : ~[\n\\`]+ ;

// Start of a physical line inside a continuation: comment and blank lines vanish here.
mode CONT_LINE;

CL_COMMENT : SP* '#' ~[\n]* NL? -> skip ;
CL_BLANK : ( SP* NL | SP+ EOF ) -> skip ;
CL_CONT : [\\`] {escapeJustMatched(true)}? [ \t]* ( NL | EOF ) -> skip ;
CL_ESC_CHAR : [\\`] -> type(ESC_CHAR), mode(ARGS) ;
CL_TEXT : ~[\n\\`]+ -> type(TEXT), mode(ARGS) ;

mode HEREDOC;

HEREDOC_LINE : ( ~[\n]* NL | ~[\n]+ ) { heredocLine(); } ;
