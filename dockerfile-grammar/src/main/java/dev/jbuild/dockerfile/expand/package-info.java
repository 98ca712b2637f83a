/**
 * BuildKit-compatible shell-word expansion (quotes, escapes, {@code $VAR} and {@code ${VAR...}}),
 * used by the builder on the raw IR values.
 */
package dev.jbuild.dockerfile.expand;
