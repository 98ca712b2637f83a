package dev.jbuild.dockerfile.ir;

public record User(SourceSpan span, String original, String user) implements Instruction {
}
