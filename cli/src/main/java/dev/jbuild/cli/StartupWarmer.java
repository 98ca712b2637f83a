package dev.jbuild.cli;

import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.Digest;
import dev.jbuild.oci.JsonTrees;
import dev.jbuild.oci.MediaType;
import dev.jbuild.oci.Platform;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Mixin;

/**
 * Does, on a second core, start-up work the main thread will need a moment later (DESIGN 8), as Spring Boot's
 * background pre-initialiser does: while the main thread builds picocli's model of the root command, this thread
 * parses the annotations of the subcommand about to be added (the JDK caches them per class, and parsing them,
 * proxy classes included, is most of what picocli's model costs), then initialises SHA-256, the JSON parser and
 * the date parser that every command meets next.
 *
 * <p>Only speed is at stake: every step here is one the main thread would otherwise take itself, class
 * initialisation is thread-safe, and a failure is ignored. The thread is a daemon, so it never holds up an exit.
 */
final class StartupWarmer {
  private StartupWarmer() {}

  /** Commands that may hash megabytes: they get the native SHA-256 ready ({@link Digest#prepareSha256()}). */
  private static final Set<Class<?>> HASHING = Set.of(BuildCommand.class, PullCommand.class, PushCommand.class,
      LoadCommand.class, SaveCommand.class, ImportCommand.class, ExportCommand.class, CommitCommand.class,
      CopyCommand.class);

  /** Starts warming up for {@code command} (a subcommand class, or null when the command is not known yet). */
  static void start(Class<?> command) {
    Thread t = new Thread(() -> warm(command), "jbuild-warm-up");
    t.setDaemon(true);
    t.start();
  }

  private static void warm(Class<?> command) {
    try {
      if (command != null) {
        parseAnnotations(command);
      }
      if (command != null && HASHING.contains(command)) {
        Digest.prepareSha256();
      }
      warmInvokeMachinery();
      Digest.sha256Of("jbuild".getBytes(StandardCharsets.UTF_8));
      JsonTrees.write(JsonTrees.read("{\"a\":[1,\"b\",{\"c\":null,\"d\":true}]}"));
      OffsetDateTime.parse("2026-01-01T00:00:00.5Z").toInstant().toString();
    } catch (Throwable ignored) {
      // The main thread does whatever failed here itself, and reports it if it fails there too.
    }
  }

  /**
   * The first string concatenation, record {@code equals}/{@code hashCode}/{@code toString} and lambda of a JVM each
   * set up {@code java.lang.invoke} machinery they share, which cost the main thread 30 to 65 ms (profiled on run,
   * build and push). picocli, being Java 5 bytecode, needs none of it, so it is set up here meanwhile.
   */
  static String warmInvokeMachinery() {
    Descriptor a = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256Of(new byte[] {1}), 1);
    Descriptor b = new Descriptor(MediaType.OCI_CONFIG, Digest.sha256Of(new byte[] {2}), 2);
    java.util.function.Supplier<String> lambda = () -> a.mediaType() + ":" + a.size();
    return a.equals(b) + "/" + a.hashCode() + "/" + b + "/" + Platform.host() + "/" + lambda.get();
  }

  /** The annotations of {@code command}, its superclasses and its mixins (recursively), as picocli reads them. */
  static int parseAnnotations(Class<?> command) {
    int parsed = 0;
    Deque<Class<?>> todo = new ArrayDeque<>();
    Set<Class<?>> seen = new HashSet<>();
    todo.add(command);
    while (!todo.isEmpty()) {
      for (Class<?> c = todo.poll(); c != null && c != Object.class && seen.add(c); c = c.getSuperclass()) {
        parsed += c.getDeclaredAnnotations().length;
        for (Field f : c.getDeclaredFields()) {
          parsed += f.getDeclaredAnnotations().length;
          if (f.isAnnotationPresent(Mixin.class)) {
            todo.add(f.getType());
          }
        }
        for (Method m : c.getDeclaredMethods()) {
          parsed += m.getDeclaredAnnotations().length;
        }
      }
    }
    return parsed;
  }
}
