package dev.jbuild.dockerfile;

/**
 * A Dockerfile that does not parse. The message is {@code <file>:<line>:<column>: <what>} (the form
 * editors and CI log scrapers recognise), then, when the source line is known, that line with its
 * number and a marker under the offending text:
 *
 * <pre>
 * Dockerfile:3:6: unknown flag: chwon (did you mean --chown?)
 *  3 | COPY --chwon=app a /b
 *    |      ^~~~~~~
 * </pre>
 */
public final class DockerfileSyntaxException extends DockerfileException {
  private static final long serialVersionUID = 1L;
  /** Longer source lines are shown as a window around the column. */
  private static final int PREVIEW_WIDTH = 120;

  private final String fileName;
  private final int line;
  private final int column;
  private final String what;

  public DockerfileSyntaxException(String fileName, int line, int column, String what) {
    this(fileName, line, column, what, null, 1);
  }

  /**
   * @param sourceLine the offending source line (without its line end), or null
   * @param markerWidth how many characters from {@code column} the marker underlines (at least 1)
   */
  public DockerfileSyntaxException(String fileName, int line, int column, String what, String sourceLine,
      int markerWidth) {
    super(format(fileName, line, column, what, sourceLine, markerWidth));
    this.fileName = fileName;
    this.line = line;
    this.column = column;
    this.what = what;
  }

  private static String format(String fileName, int line, int column, String what, String sourceLine, int width) {
    String head = fileName + ":" + line + ":" + column + ": " + what;
    if (sourceLine == null || sourceLine.isBlank()) {
      return head;
    }
    int col = Math.max(0, Math.min(column - 1, sourceLine.length()));
    int from = 0;
    int to = sourceLine.length();
    if (to > PREVIEW_WIDTH) {
      from = Math.max(0, Math.min(col - PREVIEW_WIDTH / 2, to - PREVIEW_WIDTH));
      to = Math.min(to, from + PREVIEW_WIDTH);
    }
    String prefix = from > 0 ? "..." : "";
    String shown = prefix + printable(sourceLine.substring(from, to)) + (to < sourceLine.length() ? "..." : "");
    StringBuilder marker = new StringBuilder(prefix.replace('.', ' '));
    for (int i = from; i < col; i++) {
      // Copy tabs so the marker lines up whatever the terminal's tab width.
      marker.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
    }
    marker.append('^');
    int tail = Math.min(Math.max(width, 1), Math.max(1, to - col)) - 1;
    marker.append("~".repeat(Math.max(0, tail)));
    String number = String.valueOf(line);
    return head + "\n " + number + " | " + shown + "\n " + " ".repeat(number.length()) + " | " + marker;
  }

  private static String printable(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      out.append((c < 0x20 && c != '\t') || c == 0x7F ? '?' : c);
    }
    return out.toString();
  }

  public String fileName() {
    return fileName;
  }

  /** 1-based. */
  public int line() {
    return line;
  }

  /** 1-based, in characters of the source line. */
  public int column() {
    return column;
  }

  /** The description alone (BuildKit's wording, with its "(did you mean X?)" hint), without location or preview. */
  public String what() {
    return what;
  }
}
