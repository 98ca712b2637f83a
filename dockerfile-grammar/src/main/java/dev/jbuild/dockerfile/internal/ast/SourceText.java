package dev.jbuild.dockerfile.internal.ast;

/** Input normalisation shared by every entry point. */
public final class SourceText {
  private SourceText() {
  }

  /** Drops a UTF-8 BOM and turns CRLF into LF (BuildKit trims the CR of every line it reads). */
  public static String normalize(String source) {
    String s = source.startsWith("\uFEFF") ? source.substring(1) : source;
    return s.indexOf('\r') < 0 ? s : s.replace("\r\n", "\n");
  }
}
