package dev.jbuild.dockerfile.expand;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.dockerfile.DockerfileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShellLexTest {
  private static final Map<String, String> ENV = env();
  private final ShellLex lex = new ShellLex('\\');

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PWD", "/home");
    env.put("SHELL", "bash");
    env.put("EMPTY", "");
    env.put("FILE", "archive.tar.gz");
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    return env;
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
    "hello|hello",
    "he'll'o|hello",
    "he\"ll\"o|hello",
    "'$PWD'|$PWD",
    "\"$PWD\"|/home",
    "$PWD|/home",
    "${PWD}x|/homex",
    "\\$PWD|$PWD",
    "~a \"b  c\"~|~a b  c~",
    "$|$",
    "$ x|~$ x~",
    "$UNSET|~~",
    "${UNSET:-def}|def",
    "${EMPTY:-def}|def",
    "${EMPTY-def}|~~",
    "${UNSET-def}|def",
    "${PWD:-def}|/home",
    "${PWD:+alt}|alt",
    "${EMPTY:+alt}|~~",
    "${EMPTY+alt}|alt",
    "${UNSET+alt}|~~",
    "${FILE#*.}|tar.gz",
    "${FILE##*.}|gz",
    "${FILE%.*}|archive.tar",
    "${FILE%%.*}|archive",
    "${PATH/bin/sbin}|/usr/local/sbin:/usr/bin:/bin",
    "${PATH//bin/sbin}|/usr/local/sbin:/usr/sbin:/sbin",
    "${PWD:-${SHELL}}|/home",
    "${UNSET:-${SHELL}x}|bashx",
    "\"a\\\"b\"|a\"b",
    "\"a\\b\"|a\\b",
    "a\\ b|a b",
    "'a\\b'|a\\b",
    "${EMPTY?}|~~",
    "${EMPTY:+}|~~",
    "${FILE#archive}|.tar.gz",
    "${FILE#nomatch}|archive.tar.gz",
    "${FILE%.gz}|archive.tar",
    "${FILE#a*?}|chive.tar.gz",
    "${FILE##[a-c]*}|~~",
    "${FILE#\\a}|rchive.tar.gz",
    "${FILE/.tar/}|archive.gz",
    "${PATH//\\/bin/X}|/usr/localX:/usrX:X",
    "${UNSET/a/b}|~~",
    "${PWD:-${UNSET:-${SHELL}}}|/home",
    "\"${UNSET:-a b}\"|a b",
    "$1x|x",
    "a\\|a",
    "\"\\$PWD\"|$PWD",
    "\"a'b\"|a'b",
    "'a\"b'|a\"b",
  })
  void processWord_validWord_expandsLikeBuildKit(String word, String expected) throws Exception {
    assertThat(lex.processWord(word, ENV)).isEqualTo(expected);
  }

  @Test
  void processWord_backtickEscape_escapesWithBacktick() throws Exception {
    assertThat(new ShellLex('`').processWord("a`$PWD \"x`\"y\" c:\\d", ENV)).isEqualTo("a$PWD x\"y c:\\d");
  }

  @Test
  void processWords_unquotedWhitespace_splitsAfterExpansion() {
    Map<String, String> env = Map.of("LIST", "a  b");

    assertThat(lex.processWords("x $LIST \"c d\" 'e'f", env)).containsExactly("x", "a", "b", "c d", "ef");
    assertThat(lex.processWords("\"$LIST\"", env)).isEqualTo(List.of("a  b"));
    assertThat(lex.processWords("  ", env)).isEmpty();
  }

  @Test
  void processWord_badSyntax_namesProblem() {
    assertThatThrownBy(() -> lex.processWord("${PWD", ENV)).isInstanceOf(DockerfileException.class)
        .hasMessage("failed to process \"${PWD\": syntax error: missing '}'");
    assertThatThrownBy(() -> lex.processWord("${}", ENV)).hasMessageEndingWith("syntax error: bad substitution");
    assertThatThrownBy(() -> lex.processWord("'abc", ENV))
        .hasMessageEndingWith("unexpected end of statement while looking for matching single-quote");
    assertThatThrownBy(() -> lex.processWord("\"abc", ENV))
        .hasMessageEndingWith("unexpected end of statement while looking for matching double-quote");
    assertThatThrownBy(() -> lex.processWord("${PWD:=x}", ENV))
        .hasMessageEndingWith("unsupported modifier (:=) in substitution");
    assertThatThrownBy(() -> lex.processWord("${UNSET:?must be set}", ENV))
        .hasMessageEndingWith("UNSET: must be set");
    assertThatThrownBy(() -> lex.processWord("${EMPTY:?}", ENV))
        .hasMessageEndingWith("EMPTY: is not allowed to be empty");
    assertThatThrownBy(() -> lex.processWords("'x", ENV)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> lex.processWord("${UNSET?}", Map.of()))
        .hasMessageEndingWith("UNSET: is not allowed to be unset");
    assertThatThrownBy(() -> lex.processWord("${PWD:#x}", ENV))
        .hasMessageEndingWith("unsupported modifier (:#) in substitution");
    assertThatThrownBy(() -> lex.processWord("${PWD/x}", ENV)).hasMessageEndingWith("syntax error: missing '/' in ${}");
    assertThatThrownBy(() -> lex.processWord("${:-x}", ENV)).hasMessageEndingWith("syntax error: bad substitution");
    assertThatThrownBy(() -> lex.processWord("${PWD:-x", ENV)).hasMessageEndingWith("syntax error: missing '}'");
  }

  @Test
  void processWord_skipUnsetEnv_keepsReferences() throws Exception {
    ShellLex raw = lex.withSkipUnsetEnv(true);

    assertThat(raw.processWord("$A ${B} ${C:-x} $PWD", ENV)).isEqualTo("$A ${B} ${C:-x} /home");
  }

  @Test
  void processWords_rawQuotesAndEscapes_keepsThem() throws Exception {
    ShellLex raw = lex.withRawQuotes(true).withRawEscapes(true);

    assertThat(raw.splitWords("cat <<'EOF' a\\ b \"c\"", Map.of())).containsExactly("cat", "<<'EOF'", "a\\ b",
        "\"c\"");
  }
}
