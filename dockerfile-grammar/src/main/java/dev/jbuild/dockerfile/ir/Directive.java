package dev.jbuild.dockerfile.ir;

/** A parser directive ({@code # syntax=}, {@code # escape=}, {@code # check=}); name lowercased. */
public record Directive(String name, String value, SourceSpan span) {
}
