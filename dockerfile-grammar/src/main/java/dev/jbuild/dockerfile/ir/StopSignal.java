package dev.jbuild.dockerfile.ir;

public record StopSignal(SourceSpan span, String original, String signal) implements Instruction {
}
