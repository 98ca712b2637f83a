/**
 * The {@code jbuild} command line: picocli commands only. Each command parses its options into the library
 * types, calls the library, and renders its events; no build, store or registry logic lives here.
 */
package dev.jbuild.cli;
