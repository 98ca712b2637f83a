package dev.jbuild.dockerfile.ir;

/** A raw ENV/LABEL pair; quotes and escapes are still in the value. */
public record KeyValue(String key, String value) {
}
