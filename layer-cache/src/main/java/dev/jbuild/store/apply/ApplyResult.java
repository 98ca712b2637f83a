package dev.jbuild.store.apply;

/**
 * What an apply did.
 *
 * @param entries tar entries applied (PAX and GNU long-name headers not counted; whiteouts counted)
 * @param bytes bytes of tar read, headers, padding and anything after the end-of-archive marker included
 * @param warnings how many warnings were sent to {@link ApplyOptions#warnings()}
 */
public record ApplyResult(long entries, long bytes, int warnings) {}
