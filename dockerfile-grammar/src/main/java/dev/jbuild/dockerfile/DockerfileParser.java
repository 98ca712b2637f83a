package dev.jbuild.dockerfile;

import dev.jbuild.dockerfile.internal.ast.AstParser;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.internal.ast.ParsedFile;
import dev.jbuild.dockerfile.internal.ast.SourceText;
import dev.jbuild.dockerfile.internal.ir.DockerfileTranslator;
import dev.jbuild.dockerfile.ir.Dockerfile;
import java.nio.charset.StandardCharsets;

/** Parses Dockerfile text into the typed IR ({@link dev.jbuild.dockerfile.ir}). */
public final class DockerfileParser {
  /** Larger inputs are refused before parsing: a build context can hold hostile files. */
  public static final int MAX_SOURCE_BYTES = 10 * 1024 * 1024;

  private DockerfileParser() {
  }

  /**
   * @param fileName used only in error messages and {@link Dockerfile#fileName()}
   * @throws DockerfileSyntaxException located at the first problem
   */
  public static Dockerfile parse(String source, String fileName) throws DockerfileSyntaxException {
    String name = fileName == null ? "Dockerfile" : fileName;
    if (source.length() > MAX_SOURCE_BYTES
        || (source.length() > MAX_SOURCE_BYTES / 3
        && source.getBytes(StandardCharsets.UTF_8).length > MAX_SOURCE_BYTES)) {
      throw new DockerfileSyntaxException(name, 1, 1, "Dockerfile is larger than the 10 MiB limit");
    }
    String text = SourceText.normalize(source);
    try {
      ParsedFile file = AstParser.parse(text);
      return DockerfileTranslator.translate(name, file);
    } catch (ParseFailure e) {
      int line = Math.max(1, e.line());
      throw new DockerfileSyntaxException(name, line, Math.max(1, e.column()), e.getMessage(),
          sourceLine(text, line));
    }
  }

  private static String sourceLine(String text, int line) {
    int start = 0;
    for (int i = 1; i < line; i++) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        return null;
      }
      start = nl + 1;
    }
    int end = text.indexOf('\n', start);
    return text.substring(start, end < 0 ? text.length() : end);
  }
}
