package dev.jbuild.dockerfile.ir;

/** One ARG name with its raw default, or null when it has none. */
public record ArgDef(String name, String defaultValue) {
}
