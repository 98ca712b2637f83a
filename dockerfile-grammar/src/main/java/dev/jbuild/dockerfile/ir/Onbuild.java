package dev.jbuild.dockerfile.ir;

/** {@code trigger} is the raw text of the nested instruction, run in the child build. */
public record Onbuild(SourceSpan span, String original, String trigger) implements Instruction {
}
