/** Benchmarks run by the scripts under {@code bench/}; never part of the test suite. */
package dev.jbuild.store.bench;
