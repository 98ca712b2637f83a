package dev.jbuild.registry.transfer;

import dev.jbuild.oci.OciException;
import dev.jbuild.registry.RegistryException;
import dev.jbuild.store.StoreException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the per-blob tasks of one image transfer on a bounded pool. Results come back in task order whatever
 * the completion order, so manifests built from them are deterministic; the first failure cancels the rest
 * (interrupting them) and is rethrown as its own type once every task has stopped, so no worker is still
 * writing into the store when the caller sees the error.
 */
final class Parallel {
  /** One unit of work; throws what the transfer methods throw. */
  @FunctionalInterface
  interface Task<T> {
    T call() throws IOException, RegistryException, StoreException, OciException;
  }

  private Parallel() {}

  static <T> List<T> run(int parallelism, List<Task<T>> tasks)
      throws IOException, RegistryException, StoreException, OciException {
    if (tasks.isEmpty()) {
      return List.of();
    }
    if (parallelism <= 1 || tasks.size() == 1) {
      List<T> results = new ArrayList<>(tasks.size());
      for (Task<T> task : tasks) {
        results.add(task.call());
      }
      return results;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, tasks.size()), new Daemons());
    ExecutorCompletionService<T> done = new ExecutorCompletionService<>(pool);
    List<Future<T>> futures = new ArrayList<>(tasks.size());
    try {
      for (Task<T> task : tasks) {
        futures.add(done.submit(task::call));
      }
      for (int i = 0; i < tasks.size(); i++) {
        Future<T> finished = done.take();
        try {
          finished.get();
        } catch (ExecutionException e) {
          cancel(pool, futures);
          throw rethrow(e.getCause());
        }
      }
      List<T> results = new ArrayList<>(tasks.size());
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      for (Future<?> f : futures) {
        f.cancel(true);
      }
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while transferring blobs");
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  private static void cancel(ExecutorService pool, List<? extends Future<?>> futures) throws InterruptedException {
    for (Future<?> f : futures) {
      f.cancel(true);
    }
    pool.shutdownNow();
    // Wait for the workers: their temp files are cleaned up by BlobWriter.close() as they unwind.
    pool.awaitTermination(2, TimeUnit.MINUTES);
  }

  private static IOException rethrow(Throwable cause) throws RegistryException, StoreException, OciException {
    if (cause instanceof RegistryException e) {
      throw e;
    }
    if (cause instanceof StoreException e) {
      throw e;
    }
    if (cause instanceof OciException e) {
      throw e;
    }
    if (cause instanceof IOException e) {
      return e;
    }
    if (cause instanceof RuntimeException e) {
      throw e;
    }
    if (cause instanceof Error e) {
      throw e;
    }
    return new IOException(cause);
  }

  private static final class Daemons implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "jbuild-transfer-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
