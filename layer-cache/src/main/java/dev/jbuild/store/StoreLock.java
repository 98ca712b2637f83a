package dev.jbuild.store;

/** A held store lock (in-JVM and inter-process); closing releases it. */
public interface StoreLock extends AutoCloseable {
  @Override
  void close();
}
