package dev.jbuild.cli;

import dev.jbuild.oci.Digest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The training run behind the launcher's class-data archive (DESIGN 8). Run once with
 * {@code -XX:DumpLoadedClassList}, it loads what jbuild's commands load, and the launcher then dumps those classes
 * into a static archive that every later start-up maps instead of parsing and verifying jars.
 *
 * <p>It does two things. It runs real commands (a build with COPY, WORKDIR, ENV and USER; images, inspect, history,
 * save, load, tag, rmi, parse) against a throw-away store, so the JDK and library classes they touch are listed. And
 * it loads, without initialising, every class of jbuild, picocli and Jackson on the class path, so the commands it
 * cannot run here (run, exec, pull, push: they need runc or a registry) start from the archive too; so does the
 * HTTP client those use (Google HTTP Client, with the OpenCensus, gRPC-context and Guava classes it loads), which
 * had a no-op push spend a third of its main thread's time reading classes from jars. A static archive
 * is used rather than {@code -XX:ArchiveClassesAtExit} because only a static dump on Java 17 takes picocli, whose
 * classes are Java 5 bytecode.
 *
 * <p>Usage: {@code java -XX:DumpLoadedClassList=FILE -cp jbuild.jar dev.jbuild.cli.ClassDataTraining WORKDIR}.
 * Failures are reported on stderr and the exit code is non-zero; the launcher then simply goes without an archive.
 */
public final class ClassDataTraining {
  private static final String[] PACKAGES = {"dev/jbuild/", "picocli/", "com/fasterxml/jackson/", "com/google/api/client/",
    "io/opencensus/", "io/grpc/", "com/google/common/base/", "com/google/common/collect/"};

  private ClassDataTraining() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: ClassDataTraining WORKDIR");
      System.exit(2);
    }
    Path work = Files.createDirectories(Path.of(args[0]));
    // What the start-up thread of a hashing command does (the commands run below go without it): NSS's PKCS#11
    // classes then come from the archive too, when the launcher passes the NSS directory.
    Digest.prepareSha256();
    List<String> failures = runCommands(work);
    failures.forEach(System.err::println);
    int loaded = loadClasses();
    System.err.println("class-data training: " + loaded + " classes loaded, " + failures.size() + " commands failed");
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /** Runs the training commands in {@code work}; returns a line for each one that failed. */
  static List<String> runCommands(Path work) throws IOException {
    Path context = Files.createDirectories(work.resolve("context"));
    Files.createDirectories(context.resolve("dir/sub"));
    Files.writeString(context.resolve("dir/sub/file.txt"), "training\n");
    Files.writeString(context.resolve("app.sh"), "#!/bin/sh\necho hello\n");
    Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
    Files.writeString(context.resolve("Dockerfile"), String.join("\n",
        "# syntax=docker/dockerfile:1",
        "FROM scratch AS base",
        "ARG VERSION=1",
        "ENV APP_HOME=/app VERSION=${VERSION}",
        "COPY --chmod=755 app.sh /app/",
        "COPY dir/ /app/dir/",
        "",
        "FROM base",
        "WORKDIR /app/work",
        "COPY --from=base /app/app.sh /usr/local/bin/app",
        "LABEL org.opencontainers.image.title=training",
        "EXPOSE 8080/tcp",
        "USER 1000:1000",
        "HEALTHCHECK --interval=30s CMD [\"/app/app.sh\"]",
        "ENTRYPOINT [\"/app/app.sh\"]",
        "CMD [\"run\"]",
        ""));
    String root = work.resolve("store").toString();
    String tar = work.resolve("image.tar").toString();
    List<String[]> commands = new ArrayList<>();
    commands.add(new String[] {"--root", root, "build", "-q", "-t", "training:1", context.toString()});
    commands.add(new String[] {"--root", root, "build", "-t", "training:1", "--progress=plain", context.toString()});
    commands.add(new String[] {"--root", root, "images"});
    commands.add(new String[] {"--root", root, "inspect", "training:1"});
    commands.add(new String[] {"--root", root, "history", "training:1"});
    commands.add(new String[] {"--root", root, "save", "-o", tar, "training:1"});
    commands.add(new String[] {"--root", root, "tag", "training:1", "training:2"});
    commands.add(new String[] {"--root", root, "rmi", "training:2"});
    commands.add(new String[] {"--root", root, "load", "-i", tar});
    commands.add(new String[] {"--root", root, "parse", context.resolve("Dockerfile").toString()});
    commands.add(new String[] {"--root", root, "system", "df"});
    commands.add(new String[] {"--root", root, "ps", "-a"});
    commands.add(new String[] {"--help"});
    List<String> failures = new ArrayList<>();
    for (String[] command : commands) {
      StringWriter err = new StringWriter();
      int code = Main.run(command, new PrintWriter(new StringWriter()), new PrintWriter(err));
      if (code != 0) {
        failures.add("class-data training: jbuild " + String.join(" ", command) + " exited " + code + ": " + err);
      }
    }
    return failures;
  }

  /** Loads (without initialising) every class of the listed packages found in the class path's jars. */
  static int loadClasses() throws IOException {
    ClassLoader loader = ClassDataTraining.class.getClassLoader();
    int loaded = 0;
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      for (Path jar : classPathJars(Path.of(entry))) {
        try (JarFile file = new JarFile(jar.toFile())) {
          Enumeration<JarEntry> entries = file.entries();
          while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (!name.endsWith(".class") || name.startsWith("META-INF/") || name.endsWith("module-info.class")
                || !inPackages(name)) {
              continue;
            }
            try {
              Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
              loaded++;
            } catch (Throwable e) {
              // An optional integration whose library is absent (Jackson's java.sql support, say): not needed.
            }
          }
        }
      }
    }
    return loaded;
  }

  /** The jar itself and the jars its manifest's {@code Class-Path} names (how the launcher's jbuild.jar is laid out). */
  private static List<Path> classPathJars(Path jar) throws IOException {
    List<Path> jars = new ArrayList<>();
    if (!Files.isRegularFile(jar)) {
      return jars;
    }
    jars.add(jar);
    try (JarFile file = new JarFile(jar.toFile())) {
      String classPath = file.getManifest() != null
          ? file.getManifest().getMainAttributes().getValue("Class-Path") : null;
      if (classPath != null) {
        for (String item : classPath.trim().split("\\s+")) {
          Path dependency = jar.resolveSibling(item);
          if (Files.isRegularFile(dependency)) {
            jars.add(dependency);
          }
        }
      }
    }
    return jars;
  }

  private static boolean inPackages(String name) {
    for (String p : PACKAGES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }
}
