/**
 * The builder's public API: {@link dev.jbuild.builder.ImageBuilder} runs a Dockerfile build described by
 * {@link dev.jbuild.builder.BuildOptions} and reports {@link dev.jbuild.builder.BuildEvent}s to a listener; it
 * never prints. The CLI and the Maven plugin are thin adapters over this package. How stages and steps are
 * executed lives in {@code dev.jbuild.builder.internal}.
 */
package dev.jbuild.builder;
