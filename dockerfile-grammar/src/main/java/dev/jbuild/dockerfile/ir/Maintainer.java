package dev.jbuild.dockerfile.ir;

public record Maintainer(SourceSpan span, String original, String name) implements Instruction {
}
