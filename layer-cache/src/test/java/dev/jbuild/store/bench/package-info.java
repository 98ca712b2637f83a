/** Benchmark drivers run by the scripts under {@code bench/} with the test classpath; not tests themselves. */
package dev.jbuild.store.bench;
