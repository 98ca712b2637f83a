package dev.jbuild.dockerfile;

import dev.jbuild.dockerfile.internal.ast.AstDump;
import dev.jbuild.dockerfile.internal.ast.AstParser;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.internal.ast.ParsedFile;
import dev.jbuild.dockerfile.internal.ast.SourceLines;
import dev.jbuild.dockerfile.internal.ast.SourceText;
import dev.jbuild.dockerfile.internal.ir.DockerfileTranslator;
import dev.jbuild.dockerfile.ir.Dockerfile;

/**
 * Parses Dockerfile text into the typed IR ({@link dev.jbuild.dockerfile.ir}).
 *
 * <pre>{@code
 * Dockerfile df = DockerfileParser.parse(Files.readAllBytes(path), "Dockerfile");
 * }</pre>
 *
 * <p>Every failure is a {@link DockerfileSyntaxException} located at {@code file:line:column}. Inputs
 * over {@link #MAX_SOURCE_BYTES} are refused before parsing; nothing here recurses on the input, so
 * hostile files fail with an error rather than a hang or a stack overflow.
 */
public final class DockerfileParser {
  /** Larger inputs are refused before parsing: a build context can hold hostile files. */
  public static final int MAX_SOURCE_BYTES = SourceText.MAX_BYTES;

  private DockerfileParser() {
  }

  /**
   * @param fileName used only in error messages and {@link Dockerfile#fileName()}
   * @throws DockerfileSyntaxException located at the first problem
   */
  public static Dockerfile parse(String source, String fileName) throws DockerfileSyntaxException {
    String name = displayName(fileName);
    String text = checkedText(source, name);
    try {
      return DockerfileTranslator.translate(name, AstParser.parse(text));
    } catch (ParseFailure e) {
      throw syntaxError(name, text, e);
    }
  }

  /**
   * Parses the raw bytes of a Dockerfile, which must be UTF-8: invalid UTF-8 is a syntax error
   * located at the offending byte's line and column, never silently replaced.
   *
   * @throws DockerfileSyntaxException located at the first problem
   */
  public static Dockerfile parse(byte[] source, String fileName) throws DockerfileSyntaxException {
    return parse(decode(source, displayName(fileName)), fileName);
  }

  /**
   * BuildKit's parser-level AST dump ({@code parser.Node.Dump()} plus a final line end), one
   * s-expression per instruction, e.g. {@code (copy ["--chown=me"] "a" "/b")}. Only the parser
   * level runs: unknown instructions and flags are dumped, not rejected.
   *
   * @throws DockerfileSyntaxException for BuildKit's parser-level errors ("file with no instructions",
   *     "ENV must have two arguments", JSON arrays holding non-strings, bad directives)
   */
  public static String dumpAst(String source, String fileName) throws DockerfileSyntaxException {
    String name = displayName(fileName);
    String text = checkedText(source, name);
    try {
      return AstDump.dump(AstParser.parse(text));
    } catch (ParseFailure e) {
      throw syntaxError(name, text, e);
    }
  }

  /** {@link #dumpAst(String, String)} for raw bytes, decoded as strictly as {@link #parse(byte[], String)}. */
  public static String dumpAst(byte[] source, String fileName) throws DockerfileSyntaxException {
    return dumpAst(decode(source, displayName(fileName)), fileName);
  }

  private static String displayName(String fileName) {
    return fileName == null ? "Dockerfile" : fileName;
  }

  private static String checkedText(String source, String name) throws DockerfileSyntaxException {
    try {
      // Cheap bound first: UTF-8 never takes fewer bytes than UTF-16 chars.
      if (source.length() > MAX_SOURCE_BYTES / 3) {
        SourceText.checkSize(SourceText.utf8Length(source));
      }
    } catch (ParseFailure e) {
      throw new DockerfileSyntaxException(name, 1, 1, e.getMessage());
    }
    return SourceText.normalize(source);
  }

  private static String decode(byte[] source, String name) throws DockerfileSyntaxException {
    try {
      SourceText.checkSize(source.length);
      return SourceText.decodeUtf8(source);
    } catch (ParseFailure e) {
      String lineText = source.length > MAX_SOURCE_BYTES ? null
          : new SourceLines(SourceText.normalize(SourceText.decodeLeniently(source))).line(e.line());
      throw new DockerfileSyntaxException(name, e.line(), e.column(), e.getMessage(), lineText, 1);
    }
  }

  private static DockerfileSyntaxException syntaxError(String name, String text, ParseFailure e) {
    SourceLines lines = new SourceLines(text);
    int[] at = lines.locate(e);
    return new DockerfileSyntaxException(name, at[0], at[1], e.getMessage(), lines.line(at[0]), at[2]);
  }
}
