package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.builder.BuildException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchersTest {
  @TempDir Path tmp;

  @Test
  void fileName_isTheUrlPathsLastSegment_neverDotsOrNothing() {
    assertThat(UrlFetcher.fileName(URI.create("http://h/dl/tool.tgz?x=1"))).isEqualTo("tool.tgz");
    assertThat(UrlFetcher.fileName(URI.create("http://h/"))).isEqualTo("__unnamed__");
    assertThat(UrlFetcher.fileName(URI.create("http://h"))).isEqualTo("__unnamed__");
    assertThat(UrlFetcher.fileName(URI.create("http://h/a/.."))).isEqualTo("__unnamed__");
  }

  @Test
  void redact_dropsUserInfoAndQuery() {
    assertThat(UrlFetcher.redact("https://u:p@h/x?token=1")).isEqualTo("https://h/x?<redacted>");
    assertThat(UrlFetcher.redact("https://user:pa@ss@example.com/ctx.tgz")).isEqualTo("https://example.com/ctx.tgz");
    assertThat(UrlFetcher.redact("https://h/a@b/c.tgz")).isEqualTo("https://h/a@b/c.tgz");
    assertThat(UrlFetcher.httpDate("Wed, 21 Oct 2015 07:28:00 GMT")).hasToString("2015-10-21T07:28:00Z");
    assertThat(UrlFetcher.httpDate("soon")).isNull();
  }

  @Test
  void isGitUrl_asBuildKitDetectsThem() {
    assertThat(GitFetcher.isGitUrl("git@github.com:a/b.git")).isTrue();
    assertThat(GitFetcher.isGitUrl("https://example.com/a/b.git#main:dir")).isTrue();
    assertThat(GitFetcher.isGitUrl("git://h/r")).isTrue();
    assertThat(GitFetcher.isGitUrl("https://example.com/a/b.tar.gz")).isFalse();
    assertThat(GitFetcher.parse("https://h/r.git#v1:sub/dir"))
        .isEqualTo(new GitFetcher.GitSource("https://h/r.git", "v1", "sub/dir"));
    assertThat(GitFetcher.parse("https://h/r.git")).isEqualTo(new GitFetcher.GitSource("https://h/r.git", null, ""));
  }

  @Test
  void fetch_withoutGit_saysWhatToInstall() {
    GitFetcher g = new GitFetcher(Path.of("/nonexistent/git"));
    assertThatThrownBy(() -> g.fetch(GitFetcher.parse("https://h/r.git"), tmp, false, "Dockerfile:3"))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:3: fetching a git repository needs git, and /nonexistent/git is not installed "
            + "(on Debian: apt-get install git)");
  }

  /**
   * A git that stalls (a remote that stops answering) times out, and is killed with what it started: reading its
   * output must not block until it exits. The stand-in prints a line, then starts a child that holds its output.
   */
  @Test
  void fetch_stalledGit_timesOut_andIsKilled() throws Exception {
    Path pidFile = tmp.resolve("child.pid");
    Path fake = java.nio.file.Files.writeString(tmp.resolve("git"),
        "#!/bin/sh\necho fetching\nsleep 300 &\necho $! > " + pidFile + "\nwait\n");
    fake.toFile().setExecutable(true);
    Path checkout = java.nio.file.Files.createDirectory(tmp.resolve("checkout"));
    GitFetcher g = new GitFetcher(fake, java.time.Duration.ofSeconds(1));
    long start = System.nanoTime();
    assertThatThrownBy(() -> g.fetch(GitFetcher.parse("https://h/r.git"), checkout, false, "Dockerfile:2"))
        .isInstanceOf(BuildException.class)
        .hasMessage("Dockerfile:2: git init of https://h/r.git timed out after PT1S");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(60));
    long child = Long.parseLong(java.nio.file.Files.readString(pidFile).strip());
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(child);
    if (h.isPresent()) {
      h.get().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS); // killed: gone within moments
    }
    assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    assertThat(tmp.resolve("checkout.git-output")).doesNotExist();
  }

  @Test
  void fetch_refLookingLikeAnOption_isRefused() {
    GitFetcher g = new GitFetcher(Path.of("/usr/bin/git"));
    assertThatThrownBy(() -> g.fetch(GitFetcher.parse("https://h/r.git#--upload-pack=x"), tmp, false, "D:1"))
        .hasMessageContaining("invalid git ref");
  }

  @Test
  void validTarHeader_rejectsText() throws Exception {
    byte[] text = new byte[512];
    System.arraycopy("hello world".getBytes(), 0, text, 0, 11);
    assertThat(Archives.validTarHeader(text)).isFalse();
    byte[] tar = java.util.Arrays.copyOf(tarOf(), 512);
    assertThat(Archives.validTarHeader(tar)).isTrue();
  }

  private static byte[] tarOf() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
      var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("x");
      t.putArchiveEntry(e);
      t.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
