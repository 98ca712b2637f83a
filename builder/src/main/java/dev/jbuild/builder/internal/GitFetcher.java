package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.store.apply.LayerApplier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code ADD <git URL>[#ref[:subdir]]}: a shallow fetch of one ref with the host's git into a scratch directory.
 * git runs with prompts, system config, hooks and the {@code ext}/{@code file} transports off, and the URL is
 * passed after {@code --} so it can never be read as an option. Submodules are not fetched.
 */
final class GitFetcher {
  /** A parsed git source: the URL to fetch, the ref (null: the remote's HEAD) and the subdirectory ("": root). */
  record GitSource(String url, String ref, String subdir) {}

  /** A checkout: its directory and the commit it holds. */
  record Checkout(Path dir, String commit) {}

  private static final java.time.Duration TIMEOUT = java.time.Duration.ofMinutes(30);

  private final Path git;
  private final java.time.Duration timeout;

  GitFetcher(Path git) {
    this(git, TIMEOUT);
  }

  /** With {@code timeout} for each git command (tests). */
  GitFetcher(Path git, java.time.Duration timeout) {
    this.git = git;
    this.timeout = timeout;
  }

  /** The host's git: the first {@code git} on PATH, else /usr/bin/git (which may not exist). */
  static Path hostGit() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "git"))) {
          return Path.of(dir, "git");
        }
      }
    }
    return Path.of("/usr/bin/git");
  }

  /** BuildKit's detection: git://, ssh://, git@host:path, github.com/..., or http(s) whose path ends in .git. */
  static boolean isGitUrl(String source) {
    String s = source.toLowerCase(Locale.ROOT);
    if (s.startsWith("git://") || s.startsWith("ssh://") || s.startsWith("git@") || s.startsWith("github.com/")) {
      return true;
    }
    if (s.startsWith("http://") || s.startsWith("https://")) {
      int hash = s.indexOf('#');
      String path = hash < 0 ? s : s.substring(0, hash);
      int q = path.indexOf('?');
      path = q < 0 ? path : path.substring(0, q);
      return path.endsWith(".git") || path.endsWith(".git/");
    }
    return false;
  }

  static GitSource parse(String source) {
    String url = source;
    String ref = null;
    String subdir = "";
    int hash = source.indexOf('#');
    if (hash >= 0) {
      url = source.substring(0, hash);
      String fragment = source.substring(hash + 1);
      int colon = fragment.indexOf(':');
      ref = colon < 0 ? fragment : fragment.substring(0, colon);
      subdir = colon < 0 ? "" : fragment.substring(colon + 1);
      if (ref.isEmpty()) {
        ref = null;
      }
    }
    if (url.toLowerCase(Locale.ROOT).startsWith("github.com/")) {
      url = "https://" + url;
    }
    return new GitSource(url, ref, subdir);
  }

  Checkout fetch(GitSource source, Path dir, boolean keepGitDir, String where) throws BuildException {
    if (!Files.isExecutable(git)) {
      throw new BuildException(where + ": fetching a git repository needs git, and " + git
          + " is not installed (on Debian: apt-get install git)");
    }
    if (source.ref() != null && source.ref().startsWith("-")) {
      throw new BuildException(where + ": invalid git ref \"" + source.ref() + "\"");
    }
    String shown = UrlFetcher.redact(source.url());
    run(dir, where, source.url(), shown, "init", "-q", ".");
    run(dir, where, source.url(), shown, "fetch", "-q", "--depth", "1", "--no-tags", "--", source.url(),
        source.ref() == null ? "HEAD" : source.ref());
    run(dir, where, source.url(), shown, "checkout", "-q", "FETCH_HEAD");
    String commit = run(dir, where, source.url(), shown, "rev-parse", "HEAD").strip();
    if (!keepGitDir) {
      try {
        LayerApplier.deleteTree(dir.resolve(".git"));
      } catch (IOException e) {
        throw new BuildException(where + ": cannot remove the .git directory of " + shown + ": " + e.getMessage(), e);
      }
    }
    return new Checkout(dir, commit);
  }

  private String run(Path dir, String where, String url, String shown, String... args) throws BuildException {
    List<String> cmd = new ArrayList<>(List.of(git.toString(), "-c", "protocol.ext.allow=never", "-c",
        "protocol.file.allow=never", "-c", "core.hooksPath=/dev/null", "-c", "core.symlinks=true",
        "-c", "advice.detachedHead=false"));
    cmd.addAll(List.of(args));
    // Output goes to a file beside the checkout, not a pipe: reading a pipe would block until git exits, so a
    // stalled remote would never reach the timeout below.
    Path output = dir.resolveSibling(dir.getFileName() + ".git-output");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("GIT_ASKPASS", "/bin/false");
    pb.environment().put("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    Process p = null;
    try {
      p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BuildException(where + ": git " + args[0] + " of " + shown + " timed out after " + timeout);
      }
      byte[] out;
      try (java.io.InputStream in = Files.newInputStream(output)) {
        out = in.readNBytes(1 << 20);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        String reason = text.strip().replace(url, shown); // git may echo credentials from the URL
        throw new BuildException(where + ": git " + args[0] + " of " + shown + " failed: "
            + (reason.length() > 2000 ? reason.substring(0, 2000) + "..." : reason));
      }
      return text;
    } catch (IOException e) {
      throw new BuildException(where + ": cannot run git for " + shown + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException(where + ": interrupted while fetching " + shown, e);
    } finally {
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly); // ssh or git-remote-http under git
        p.destroyForcibly();
      }
      try {
        Files.deleteIfExists(output);
      } catch (IOException ignored) {
        // in the build's scratch directory, which the build removes
      }
    }
  }
}
