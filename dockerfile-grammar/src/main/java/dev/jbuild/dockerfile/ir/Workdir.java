package dev.jbuild.dockerfile.ir;

public record Workdir(SourceSpan span, String original, String path) implements Instruction {
}
