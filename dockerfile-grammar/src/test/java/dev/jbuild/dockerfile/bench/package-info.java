/** JMH benchmarks of the parser; run them with {@code bench/parser.sh} at the repository root. */
package dev.jbuild.dockerfile.bench;
