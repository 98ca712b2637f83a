package dev.jbuild.dockerfile.ir;

public record Entrypoint(SourceSpan span, String original, Command command) implements Instruction {
}
