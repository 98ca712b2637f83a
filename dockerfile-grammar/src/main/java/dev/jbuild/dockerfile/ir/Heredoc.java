package dev.jbuild.dockerfile.ir;

/**
 * A heredoc body. {@code expand} is false when the delimiter was quoted; {@code chomp} is
 * {@code <<-}, whose leading tabs are already stripped from {@code content}.
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp) {
}
