/**
 * How a build runs: the context (paths resolved strictly inside it), the per-stage state, and one small
 * class per instruction family. Nothing here is API; the CLI and the Maven plugin use {@code
 * dev.jbuild.builder}.
 */
package dev.jbuild.builder.internal;
