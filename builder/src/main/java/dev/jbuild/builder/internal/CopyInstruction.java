package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.security.MessageDigest;
import java.util.Map;

/**
 * COPY and ADD, as BuildKit runs them.
 *
 * <ul>
 *   <li>Sources come from the build context (minus .dockerignore), from {@code --from} (an earlier stage by name or
 *       index, else an image: the local store first, then pulled), from heredocs, or for ADD from http(s) URLs and
 *       git repositories. Paths resolve inside their tree; links never lead out of it.
 *   <li>A directory copies its contents; several sources need a destination ending in {@code /}; a file lands at
 *       {@code dest/name} when the destination is a directory (by its trailing slash or because the image has it);
 *       a relative destination is relative to WORKDIR; the destination resolves through the image's symlinks.
 *   <li>Owners are 0:0 for context files, downloads, heredocs and git files, and kept from stages, images and
 *       archives, unless {@code --chown} (names looked up in the image's /etc/passwd and /etc/group). {@code
 *       --chmod} is octal or symbolic. Missing destination directories are created owned like the files.
 *   <li>ADD unpacks a local tar (plain, gzip, bzip2, xz or zstd, recognised by content) into the destination,
 *       unless {@code --unpack=false}; a URL is only unpacked with {@code --unpack=true}.
 *   <li>{@code --link}: the layer is computed without reading the image below: no symlink resolution of the
 *       destination, no "is the destination an existing directory" check (use a trailing slash), and parent
 *       directories are written fresh (0755, 0:0) rather than copied from the image.
 * </ul>
 */
final class CopyInstruction {
  private static final String DOMAIN = "jbuild copy inputs v1";

  private final StepContext ctx;
  private final CopySources sources;

  CopyInstruction(StepContext ctx, CopySources sources) {
    this.ctx = ctx;
    this.sources = sources;
  }

  void apply(Copy copy, StageState state) throws BuildException {
    applyAny(copy, state);
  }

  void apply(Add add, StageState state) throws BuildException {
    applyAny(add, state);
  }

  private void applyAny(Instruction at, StageState state) throws BuildException {
    CopyPlan plan = new CopyPlanner(ctx, sources, CopySpec.of(at), state).plan();
    LayerCommit.commit(ctx, state, at, plan.entries, plan.independent);
  }

  /**
   * The digest of everything {@code copyOrAdd} would read, for the build cache, without writing a layer: for each
   * entry in in-image path order its path, type, mode after --chmod, uid/gid after --chown, link target and
   * content sha256 (context files through the {@link ContextHasher} stat cache), plus the URL and its content
   * digest or the git commit of remote sources. Not mtimes (DESIGN 4). Downloads and checkouts made here are kept
   * for the {@link #apply} that follows in the same build. Destinations are not resolved through the image's
   * symlinks here: the cache key pins the image separately, and a cached step then never reads the image's layers.
   *
   * @return {@code sha256:<hex>}
   */
  String inputsDigest(Instruction copyOrAdd, StageState state) throws BuildException {
    CopyPlan plan = new CopyPlanner(ctx, sources, CopySpec.of(copyOrAdd), state, true).plan();
    MessageDigest md = Digest.newSha256();
    string(md, DOMAIN);
    u64(md, plan.facts.size());
    for (String fact : plan.facts) {
      string(md, fact);
    }
    u64(md, plan.independent ? 1 : 0);
    u64(md, plan.entries.size());
    try {
      for (Map.Entry<String, LayerEntry> item : plan.entries.entrySet()) {
        LayerEntry e = item.getValue();
        string(md, e.path());
        string(md, e.type().name());
        u64(md, e.mode());
        u64(md, e.uid());
        u64(md, e.gid());
        string(md, e.linkTarget() == null ? "" : e.linkTarget());
        if (e.type() == LayerEntry.Type.REGULAR) {
          string(md, e.source() == null ? Digest.sha256Of(new byte[0]).toString()
              : plan.fromContext.contains(e.path()) ? ctx.hasher().fileDigest(e.source()).toString()
              : sha256(e.source()));
        }
      }
    } catch (IOException e) {
      throw new BuildException(ctx.where(copyOrAdd) + ": cannot hash the sources: " + e.getMessage(), e);
    }
    return Digest.sha256(md.digest()).toString();
  }

  private static String sha256(java.nio.file.Path file) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.sha256(md.digest()).toString();
  }

  private static void u64(MessageDigest md, long v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      md.update((byte) (v >>> shift));
    }
  }

  private static void string(MessageDigest md, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    u64(md, b.length);
    md.update(b);
  }
}
