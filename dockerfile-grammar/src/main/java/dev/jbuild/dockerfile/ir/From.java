package dev.jbuild.dockerfile.ir;

/** {@code FROM [--platform=p] image [AS name]}; all values raw. */
public record From(SourceSpan span, String original, String image, String platform, String stageName)
    implements Instruction {
}
