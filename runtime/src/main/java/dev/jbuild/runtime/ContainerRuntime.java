package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.JsonTrees;
import dev.jbuild.store.Store;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Long-lived containers, docker's way: {@link #create}, then {@link #startAttached} (jbuild waits, stdio
 * attached) or {@link #startDetached} (a small host shell waits for runc and records the exit code), and
 * {@link #kill}, {@link #stop}, {@link #exec}, {@link #remove}. Each container's overlay is mounted over its own kept
 * upper dir for as long as it runs.
 *
 * <p>Only host binaries at fixed paths run on the host side (runc, mount, umount, setsid, sh); nothing from an
 * image. runc runs in its own session unless it needs the terminal, so a Ctrl-C reaches the container once, through
 * {@link #kill}, not twice.
 */
public final class ContainerRuntime {
  /** runc's own log in a container's dir (JSON lines): why a process could not start. */
  public static final String RUNC_LOG = "runc.log";
  static final String PID_FILE = "pid";
  private static final File DEV_NULL = new File("/dev/null");
  private static final long STARTUP_LIMIT_MS = 60_000;

  private final ContainerStore containers;
  private final Rootfs rootfs;
  private final Runc runc;
  private final Path runcState;

  private ContainerRuntime(ContainerStore containers, Rootfs rootfs, Runc runc, Path runcState) {
    this.containers = containers;
    this.rootfs = rootfs;
    this.runc = runc;
    this.runcState = runcState;
  }

  /** The runtime for {@code store}; fails with what to install when runc, mount or umount is missing. */
  public static ContainerRuntime open(Store store) throws ContainerException {
    Objects.requireNonNull(store, "store");
    Path state = store.root().resolve("runc").toAbsolutePath();
    return new ContainerRuntime(ContainerStore.of(store), Rootfs.of(store), Runc.locate(state), state);
  }

  public ContainerStore containers() {
    return containers;
  }

  /** Records a new container for {@code image} (named {@code imageName} by the user); nothing runs yet. */
  public ContainerRecord create(String id, Descriptor image, String imageName, String name, RunOptions options)
      throws ContainerException {
    rootfs.read(image, imageName); // fails now, with exit 125, when the image cannot be used
    return containers.create(id, name, imageName, image, options);
  }

  /** The kept output of a container: everything it wrote when it ran detached or attached without a tty. */
  public Path log(ContainerRecord r) {
    return containers.dir(r.id()).resolve(ContainerStore.LOG);
  }

  /**
   * Starts {@code record} and waits for it, with its streams on {@code stdio}; returns docker's exit code (the
   * container's own, or 125/126/127 when its process could not start, with runc's message on {@code stdio.err}).
   * Without a tty and without {@code --rm}, the output is also kept for {@code logs}. With {@code --rm} the
   * container is gone afterwards.
   */
  public int startAttached(ContainerRecord record, Stdio stdio) throws ContainerException {
    UserNamespace.requireRoot("running a container");
    ContainerRecord r = requireNotRunning(record);
    ContainerSetup.Prepared p = prepare(r);
    Path dir = p.bundle();
    RunOptions o = r.options();
    boolean keepLog = !o.autoRemove() && !o.tty();
    Process process;
    OutputStream log = null;
    try {
      Files.deleteIfExists(dir.resolve(RUNC_LOG));
      List<String> cmd = new ArrayList<>();
      if (!o.tty()) {
        cmd.add(HostTools.locate("setsid", "/usr/bin/setsid", "/bin/setsid").toString());
      }
      cmd.addAll(runcArgs(dir, "run", "--bundle", dir.toString(), r.id()));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      if (!o.interactive() || stdio.in() == null) {
        pb.redirectInput(DEV_NULL);
      } else if (stdio.inherited()) {
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
      }
      if (stdio.inherited() && !keepLog) {
        pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
      }
      if (keepLog) {
        log = Files.newOutputStream(dir.resolve(ContainerStore.LOG), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      }
      long self = ProcessHandle.current().pid();
      r = p.record().withState(p.record().state().running(self, Processes.startTime(self), Instant.now().toString()));
      containers.save(r);
      process = pb.start();
    } catch (IOException | ContainerException e) {
      closeQuietly(log);
      p.rootfs().close();
      notStarted(r, e.getMessage());
      if (e instanceof ContainerException c) {
        throw c;
      }
      throw new ContainerException("cannot start runc for container " + r.name() + ": " + e.getMessage(), e);
    }
    int code;
    try {
      List<Thread> pumps = new ArrayList<>();
      if (o.interactive() && stdio.in() != null && !stdio.inherited()) {
        Stdio.pump("stdin", stdio.in(), List.of(process.getOutputStream()), true);
      }
      if (!(stdio.inherited() && !keepLog)) {
        pumps.add(Stdio.pump("stdout", process.getInputStream(), sinks(stdio.out(), log), false));
        pumps.add(Stdio.pump("stderr", process.getErrorStream(), sinks(stdio.err(), log), false));
      }
      code = process.waitFor();
      for (Thread t : pumps) {
        t.join();
      }
      code = DockerRules.exitCode(code, dir.resolve(RUNC_LOG));
    } catch (InterruptedException e) {
      process.destroy();
      Thread.currentThread().interrupt();
      code = DockerRules.ERROR;
    } finally {
      closeQuietly(log);
    }
    finish(r, p.rootfs(), code);
    return code;
  }

  /**
   * {@link ContainerSetup#prepare} for a start; when it fails (a user or volume that cannot be used), an --rm
   * container is removed at once, as docker removes an auto-remove container whose start failed.
   */
  private ContainerSetup.Prepared prepare(ContainerRecord r) throws ContainerException {
    try {
      return ContainerSetup.prepare(containers, rootfs, r);
    } catch (ContainerException | RuntimeException e) {
      if (r.options().autoRemove()) {
        try {
          ContainerSetup.unmountStale(containers.dir(r.id()).resolve("rootfs"));
          containers.delete(r.id());
        } catch (ContainerException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /** runc or its monitor could not be started: an --rm container is removed, another one records exit 125. */
  private void notStarted(ContainerRecord r, String why) throws ContainerException {
    if (r.options().autoRemove()) {
      runcDeleteQuietly(r.id());
      containers.delete(r.id());
    } else {
      containers.save(r.withState(r.state().exited(DockerRules.ERROR, Instant.now().toString(), why)));
    }
  }

  /** After the process ended: unmount, and remove (--rm) or record the exit. */
  private void finish(ContainerRecord r, MountedRootfs fs, int code) throws ContainerException {
    try {
      fs.close();
    } finally {
      if (r.options().autoRemove()) {
        runcDeleteQuietly(r.id());
        containers.delete(r.id());
      } else {
        containers.save(r.withState(r.state().exited(code, Instant.now().toString(),
            DockerRules.startError(containers.dir(r.id()).resolve(RUNC_LOG)))));
      }
    }
  }

  /**
   * Starts {@code record} in the background: its output goes to its log, and a host shell ({@code setsid sh})
   * waits for runc, writes the exit code, unmounts the overlay, and with {@code --rm} removes the container.
   * Returns once the process runs.
   *
   * @throws ContainerStartException when the process could not start, with docker's exit code
   */
  public ContainerRecord startDetached(ContainerRecord record) throws ContainerException {
    UserNamespace.requireRoot("running a container");
    ContainerRecord r = requireNotRunning(record);
    ContainerSetup.Prepared p = prepare(r);
    Path dir = p.bundle();
    Path exit = dir.resolve(ContainerStore.EXIT);
    Path pid = dir.resolve(PID_FILE);
    Process monitor;
    try {
      for (Path f : List.of(dir.resolve(RUNC_LOG), exit, pid)) {
        Files.deleteIfExists(f);
      }
      // The arguments are runc's argv and the environment names the files: data, never parsed as shell. The dir
      // is removed (--rm) only when the process had started, so that a start error can still be read here.
      String script = "\"$@\" 0<>\"$STDIN\"; c=$?; "
          + "printf '%s\\n' \"$c\" > \"$EXIT.tmp\" && mv -f \"$EXIT.tmp\" \"$EXIT\"; "
          + "\"$UMOUNT\" \"$ROOTFS\" 2>/dev/null; "
          + "if [ -n \"$RMDIR\" ] && [ -e \"$PIDFILE\" ]; then rm -f \"$RMDIR/container.json\"; rm -rf \"$RMDIR\"; fi";
      List<String> cmd = new ArrayList<>(List.of(HostTools.locate("setsid", "/usr/bin/setsid", "/bin/setsid")
          .toString(), HostTools.locate("sh", "/bin/sh", "/usr/bin/sh").toString(), "-c", script, "jbuild-monitor"));
      Path stdin = DEV_NULL.toPath();
      if (r.options().tty()) {
        // runc run -t needs a terminal of its own to proxy the container's console through, and a detached monitor
        // has none: util-linux script gives it one and copies what the container writes to the log. Its input is a
        // FIFO held open for reading and writing, so it never ends: at the end of its input script would type an
        // end-of-file into the container's terminal, and docker run -dt leaves the terminal open. script takes one
        // command string: it names runc's arguments through the environment, so none is parsed as shell.
        stdin = dir.resolve("tty-input");
        Files.deleteIfExists(stdin);
        HostTools.check(List.of(HostTools.locate("mkfifo", "/usr/bin/mkfifo", "/bin/mkfifo").toString(), "-m",
            "600", stdin.toString()));
        cmd.addAll(List.of(HostTools.locate("script", "/usr/bin/script", "/bin/script").toString(), "-qfec",
            "exec \"$RUNC\" --root \"$RUNC_ROOT\" --log \"$RUNC_LOG\" --log-format json run --bundle \"$BUNDLE\""
                + " --pid-file \"$PIDFILE\" \"$CONTAINER\"", "/dev/null"));
      } else {
        cmd.addAll(runcArgs(dir, "run", "--bundle", dir.toString(), "--pid-file", pid.toString(), r.id()));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectInput(DEV_NULL)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(ContainerStore.LOG).toFile()))
          .redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.put("EXIT", exit.toString());
      env.put("UMOUNT", HostTools.locate("umount", "/usr/bin/umount", "/bin/umount").toString());
      env.put("ROOTFS", dir.resolve("rootfs").toString());
      env.put("PIDFILE", pid.toString());
      env.put("RMDIR", r.options().autoRemove() ? dir.toString() : "");
      env.put("STDIN", stdin.toString());
      if (r.options().tty()) {
        env.put("SHELL", HostTools.locate("sh", "/bin/sh", "/usr/bin/sh").toString()); // what script runs
        env.put("RUNC", runc.binary().toString());
        env.put("RUNC_ROOT", runcState.toString());
        env.put("RUNC_LOG", dir.resolve(RUNC_LOG).toString());
        env.put("BUNDLE", dir.toString());
        env.put("CONTAINER", r.id());
      }
      monitor = pb.start();
    } catch (IOException | ContainerException e) {
      p.rootfs().close();
      notStarted(r, e.getMessage());
      if (e instanceof ContainerException c) {
        throw c;
      }
      throw new ContainerException("cannot start the monitor of container " + r.name() + ": " + e.getMessage(), e);
    }
    r = p.record().withState(p.record().state().running(monitor.pid(), Processes.startTime(monitor.pid()),
        Instant.now().toString()));
    containers.save(r);
    long deadline = System.currentTimeMillis() + STARTUP_LIMIT_MS;
    while (!Files.exists(pid) && monitor.isAlive() && System.currentTimeMillis() < deadline) {
      sleep(5);
    }
    if (Files.exists(pid)) {
      return r;
    }
    if (monitor.isAlive()) {
      throw new ContainerException("container " + r.name() + " did not start within " + STARTUP_LIMIT_MS / 1000
          + " s; see jbuild logs " + r.name());
    }
    Path runcLog = dir.resolve(RUNC_LOG);
    int code = DockerRules.ERROR;
    try {
      code = DockerRules.exitCode(Integer.parseInt(Files.readString(exit).strip()), runcLog);
    } catch (IOException | NumberFormatException e) {
      // no exit file: the monitor itself failed
    }
    String why = DockerRules.startError(runcLog);
    if (r.options().autoRemove()) {
      runcDeleteQuietly(r.id());
      ContainerSetup.unmountStale(dir.resolve("rootfs"));
      containers.delete(r.id());
    } else {
      containers.save(r.withState(r.state().exited(code, Instant.now().toString(), why)));
    }
    throw new ContainerStartException(why != null ? why : "container " + r.name() + " exited at once with code "
        + code + "; see jbuild logs " + r.name(), code);
  }

  /**
   * Freezes every process of a running container (runc pause, the cgroup freezer), so a commit reads a writable
   * layer nobody is writing to, as docker commit does by default. Returns false when the container is not running;
   * throws when it cannot be frozen (rootless runc without a delegated cgroup, say), leaving it running.
   */
  public boolean pause(ContainerRecord record) throws ContainerException {
    UserNamespace.requireRoot("pausing a container");
    ContainerRecord r = current(record);
    if (r.state().status() != ContainerRecord.Status.RUNNING) {
      return false;
    }
    HostTools.check(runcArgs(null, "pause", r.id()));
    return true;
  }

  /** Thaws a container {@link #pause} froze. */
  public void resume(ContainerRecord record) throws ContainerException {
    HostTools.check(runcArgs(null, "resume", record.id()));
  }

  /** As {@link #resume}, for clean-up paths: a container that is not paused, or a failure, is ignored. */
  public void resumeQuietly(ContainerRecord record) {
    try {
      resume(record);
    } catch (ContainerException | RuntimeException e) {
      // not paused, or gone
    }
  }

  /** Sends {@code signal} (a name or number) to the container's process. */
  public void kill(ContainerRecord record, String signal) throws ContainerException {
    UserNamespace.requireRoot("signalling a container");
    int number;
    try {
      number = Signals.number(signal);
    } catch (IllegalArgumentException e) {
      throw new ContainerException(e.getMessage());
    }
    ContainerRecord r = current(record);
    if (r.state().status() != ContainerRecord.Status.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    HostTools.check(runcArgs(null, "kill", r.id(), Integer.toString(number)));
  }

  /**
   * Sends the container's stop signal, waits up to {@code timeoutSeconds}, then SIGKILL; returns the record once
   * it has stopped. A container that is not running is left as it is.
   */
  public ContainerRecord stop(ContainerRecord record, long timeoutSeconds) throws ContainerException {
    ContainerRecord r = current(record);
    if (r.state().status() != ContainerRecord.Status.RUNNING) {
      return r;
    }
    try {
      kill(r, r.options().stopSignal());
    } catch (ContainerException e) {
      // it may have exited meanwhile: the wait below tells
    }
    r = waitStopped(r, timeoutSeconds * 1000);
    if (r.state().status() == ContainerRecord.Status.RUNNING) {
      try {
        kill(r, "KILL");
      } catch (ContainerException e) {
        // exited meanwhile
      }
      r = waitStopped(r, 30_000);
      if (r.state().status() == ContainerRecord.Status.RUNNING) {
        throw new ContainerException("container " + r.name() + " did not stop after SIGKILL");
      }
    }
    return r;
  }

  /**
   * Removes a container and its writable layer; a running one only with {@code force} (it is killed first).
   */
  public void remove(ContainerRecord record, boolean force) throws ContainerException {
    ContainerRecord r = current(record);
    if (r.state().status() == ContainerRecord.Status.RUNNING) {
      if (!force) {
        throw new ContainerException("cannot remove container " + r.name() + ": it is running; stop it first or"
            + " use -f");
      }
      try {
        kill(r, "KILL");
      } catch (ContainerException e) {
        // exited meanwhile
      }
      r = waitStopped(r, 30_000);
    }
    Path dir = containers.dir(r.id());
    if (Files.exists(runcState.resolve(r.id())) || ContainerSetup.isMounted(dir.resolve("rootfs"))) {
      UserNamespace.requireRoot("removing a container");
      runcDeleteQuietly(r.id());
      ContainerSetup.unmountStale(dir.resolve("rootfs"));
    }
    containers.delete(r.id());
  }

  /**
   * Runs {@code args} in the running container (runc exec): with the container's environment, {@code env} replacing
   * or adding entries (a bare {@code KEY} removes one), as {@code user} (empty: the container's), with that user's
   * groups only, in {@code cwd} (null: the container's). Returns docker's exit code.
   */
  public int exec(ContainerRecord record, List<String> args, List<String> env, String user, String cwd,
      boolean tty, boolean interactive, Stdio stdio) throws ContainerException {
    UserNamespace.requireRoot("running a command in a container");
    ContainerRecord r = current(record);
    if (r.state().status() != ContainerRecord.Status.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    if (args.isEmpty()) {
      throw new ContainerException("exec needs a command");
    }
    Path dir = containers.dir(r.id());
    ImageUsers.Ids ids = ImageUsers.resolve(dir.resolve("rootfs"),
        user == null || user.isEmpty() ? r.options().user() : user);
    Path log = dir.resolve("exec-" + ProcessHandle.current().pid() + ".log");
    Path processFile = dir.resolve("exec-" + ProcessHandle.current().pid() + ".json");
    try {
      JsonNode config = JsonTrees.read(Files.readAllBytes(dir.resolve("config.json")));
      ExecProcess.write(processFile, ExecProcess.of(config, ids, args, env, cwd, tty));
    } catch (IOException e) {
      throw new ContainerException("cannot write the exec process of " + r.name() + ": " + e.getMessage(), e);
    }
    List<String> cmd = new ArrayList<>();
    if (!tty) {
      cmd.add(HostTools.locate("setsid", "/usr/bin/setsid", "/bin/setsid").toString());
    }
    // The whole process, not flags: runc's --additional-gids would add to the container's groups, not replace them.
    cmd.addAll(List.of(runc.binary().toString(), "--root", runcState.toString(), "--log", log.toString(),
        "--log-format", "json", "exec", "--process", processFile.toString(), r.id()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
    if (!interactive || stdio.in() == null) {
      pb.redirectInput(DEV_NULL);
    } else if (stdio.inherited()) {
      pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
    }
    if (stdio.inherited()) {
      pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
    }
    try {
      Process process = pb.start();
      List<Thread> pumps = new ArrayList<>();
      if (interactive && stdio.in() != null && !stdio.inherited()) {
        Stdio.pump("exec-stdin", stdio.in(), List.of(process.getOutputStream()), true);
      }
      if (!stdio.inherited()) {
        pumps.add(Stdio.pump("exec-stdout", process.getInputStream(), List.of(stdio.out()), false));
        pumps.add(Stdio.pump("exec-stderr", process.getErrorStream(), List.of(stdio.err()), false));
      }
      int code = process.waitFor();
      for (Thread t : pumps) {
        t.join();
      }
      return DockerRules.exitCode(code, log);
    } catch (IOException e) {
      throw new ContainerException("cannot start runc exec: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ContainerException("interrupted while running exec in " + r.name(), e);
    } finally {
      for (Path f : List.of(log, processFile)) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          // a stale exec log is harmless; the process file is as private as the container's config.json
        }
      }
    }
  }

  private ContainerRecord current(ContainerRecord r) throws ContainerException {
    return containers.read(r.id()).orElseThrow(() -> new ContainerException("no such container: " + r.name()));
  }

  private ContainerRecord requireNotRunning(ContainerRecord record) throws ContainerException {
    ContainerRecord r = current(record);
    if (r.state().status() == ContainerRecord.Status.RUNNING) {
      throw new ContainerException("container " + r.name() + " is already running");
    }
    return record.withState(r.state()); // the caller's options (start -i) with the stored state
  }

  private ContainerRecord waitStopped(ContainerRecord r, long millis) throws ContainerException {
    long deadline = System.currentTimeMillis() + millis;
    ContainerRecord now = current(r);
    while (now.state().status() == ContainerRecord.Status.RUNNING && System.currentTimeMillis() < deadline) {
      sleep(20);
      now = current(r);
    }
    return now;
  }

  private List<String> runcArgs(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of(runc.binary().toString(), "--root", runcState.toString()));
    if (dir != null) {
      cmd.addAll(List.of("--log", dir.resolve(RUNC_LOG).toString(), "--log-format", "json"));
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  private void runcDeleteQuietly(String id) {
    if (!Files.exists(runcState.resolve(id))) {
      return;
    }
    try {
      HostTools.check(runcArgs(null, "delete", "-f", id));
    } catch (ContainerException e) {
      // nothing left to delete
    }
  }

  private static List<OutputStream> sinks(OutputStream out, OutputStream log) {
    return log == null ? List.of(out) : List.of(out, log);
  }

  private static void closeQuietly(OutputStream o) {
    if (o != null) {
      try {
        o.close();
      } catch (IOException e) {
        // the log is best effort once the container ran
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
