package dev.jbuild.dockerfile.expand;

import dev.jbuild.dockerfile.DockerfileException;
import dev.jbuild.dockerfile.internal.ast.GoText;
import java.util.List;
import java.util.Map;

/**
 * Shell-word processing with BuildKit's rules (frontend/dockerfile/shell/lex.go): quote
 * removal, the escape character, and {@code $VAR}/{@code ${VAR...}} expansion with the
 * modifiers BuildKit supports ({@code :- - :+ + :? ? # ## % %% / //}). Unset variables expand
 * to the empty string. Instances are immutable and thread-safe.
 */
public final class ShellLex {
  /** Longer words are cut short in error messages. */
  private static final int MAX_SHOWN = 200;
  private final char escape;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipUnsetEnv;

  public ShellLex(char escape) {
    this(escape, false, false, false);
  }

  private ShellLex(char escape, boolean rawQuotes, boolean rawEscapes, boolean skipUnsetEnv) {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape must be \\ or `");
    }
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipUnsetEnv = skipUnsetEnv;
  }

  /** Keep quote characters in the output (BuildKit RawQuotes; used to detect heredoc words). */
  public ShellLex withRawQuotes(boolean value) {
    return new ShellLex(escape, value, rawEscapes, skipUnsetEnv);
  }

  /** Keep escape characters in the output (BuildKit RawEscapes). */
  public ShellLex withRawEscapes(boolean value) {
    return new ShellLex(escape, rawQuotes, value, skipUnsetEnv);
  }

  /** Leave references to unset variables as written instead of expanding them to "" (BuildKit SkipUnsetEnv). */
  public ShellLex withSkipUnsetEnv(boolean value) {
    return new ShellLex(escape, rawQuotes, rawEscapes, value);
  }

  public char escape() {
    return escape;
  }

  /** Expands and unquotes {@code word} as one string (spaces between words kept). */
  public String processWord(String word, Map<String, String> env) throws DockerfileException {
    return run(word, env).word();
  }

  /**
   * Expands {@code word}, then splits it on unquoted whitespace (BuildKit ProcessWords:
   * splitting happens after substitution, quoted parts never split).
   *
   * @throws IllegalArgumentException with BuildKit's message when the word is malformed
   *     (use {@link #splitWords} for the checked variant)
   */
  public List<String> processWords(String word, Map<String, String> env) {
    try {
      return splitWords(word, env);
    } catch (DockerfileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** {@link #processWords} with a checked exception. */
  public List<String> splitWords(String word, Map<String, String> env) throws DockerfileException {
    return List.copyOf(run(word, env).words());
  }

  private ShellWord.Result run(String word, Map<String, String> env) throws DockerfileException {
    try {
      return new ShellWord(word, env == null ? Map.of() : env, escape, rawQuotes, rawEscapes, skipUnsetEnv)
          .process();
    } catch (ShellWord.LexError e) {
      String shown = word.length() > MAX_SHOWN ? word.substring(0, MAX_SHOWN) + "..." : word;
      throw new DockerfileException("failed to process " + GoText.quote(shown) + ": " + e.getMessage());
    }
  }
}
