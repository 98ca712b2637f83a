/**
 * Dockerfile parsing for jbuild: {@link dev.jbuild.dockerfile.DockerfileParser} turns source text
 * into the typed IR of {@link dev.jbuild.dockerfile.ir}; every failure is a checked
 * {@link dev.jbuild.dockerfile.DockerfileException} naming {@code file:line}.
 */
package dev.jbuild.dockerfile;
