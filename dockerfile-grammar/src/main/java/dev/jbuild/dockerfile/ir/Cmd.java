package dev.jbuild.dockerfile.ir;

public record Cmd(SourceSpan span, String original, Command command) implements Instruction {
}
