package dev.jbuild.dockerfile;

/**
 * A Dockerfile that does not parse. The message starts with {@code <fileName>:<line>: <what>}
 * (what editors and CI log scrapers recognise); a source preview may follow on later lines.
 */
public final class DockerfileSyntaxException extends DockerfileException {
  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final int line;
  private final int column;
  private final String what;

  public DockerfileSyntaxException(String fileName, int line, int column, String what) {
    this(fileName, line, column, what, null);
  }

  /** @param preview the offending source line, or null */
  public DockerfileSyntaxException(String fileName, int line, int column, String what, String preview) {
    super(format(fileName, line, what, preview));
    this.fileName = fileName;
    this.line = line;
    this.column = column;
    this.what = what;
  }

  private static String format(String fileName, int line, String what, String preview) {
    String head = fileName + ":" + line + ": " + what;
    if (preview == null || preview.isBlank()) {
      return head;
    }
    String shown = preview.length() > 120 ? preview.substring(0, 117) + "..." : preview;
    return head + "\n " + line + " | " + shown;
  }

  public String fileName() {
    return fileName;
  }

  /** 1-based. */
  public int line() {
    return line;
  }

  /** 1-based. */
  public int column() {
    return column;
  }

  /** The description alone, without location or preview. */
  public String what() {
    return what;
  }
}
