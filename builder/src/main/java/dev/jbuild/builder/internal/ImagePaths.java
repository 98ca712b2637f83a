package dev.jbuild.builder.internal;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths inside an image: always absolute, cleaned, never above {@code /}. */
final class ImagePaths {
  private ImagePaths() {}

  /** Resolves {@code path} against {@code base} (both image paths) and cleans the result. */
  static String join(String base, String path) {
    String joined = path.startsWith("/") ? path : base + "/" + path;
    Deque<String> parts = new ArrayDeque<>();
    for (String part : joined.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!parts.isEmpty()) {
          parts.removeLast();
        }
      } else {
        parts.addLast(part);
      }
    }
    return "/" + String.join("/", parts);
  }
}
