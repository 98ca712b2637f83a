package dev.jbuild.dockerfile.ir;

/** A region of the Dockerfile; lines and columns are 1-based, the end column is inclusive. */
public record SourceSpan(int startLine, int startColumn, int endLine, int endColumn) {
}
