package dev.jbuild.builder.internal;

import dev.jbuild.builder.BuildException;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.oci.Digest;
import dev.jbuild.store.cache.ContextHasher;
import dev.jbuild.store.layers.TreeFileDigests;
import dev.jbuild.store.tar.LayerEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
   * content sha256 (files of the context or of a named directory through its {@link ContextHasher} stat cache),
   * plus the URL and its content digest or the git commit of remote sources. Not mtimes (DESIGN 4). Downloads and
   * checkouts made here are kept for the {@link #apply} that follows in the same build. Destinations are not
   * resolved through the image's symlinks here: the cache key pins the image separately, and a cached step then
   * never reads the image's layers.
   *
   * @return {@code sha256:<hex>}
   */
  String inputsDigest(Instruction copyOrAdd, StageState state) throws BuildException {
    CopyPlan plan = new CopyPlanner(ctx, sources, CopySpec.of(copyOrAdd), state, true).plan();
    KeyBytes md = new KeyBytes();
    md.string(DOMAIN);
    md.u64(plan.facts.size());
    for (String fact : plan.facts) {
      md.string(fact);
    }
    md.u64(plan.independent ? 1 : 0);
    md.u64(plan.entries.size());
    // Sources from stages and images lie in layer trees, which never change: their digests are remembered there.
    TreeFileDigests treeDigests = TreeFileDigests.of(ctx.store());
    try {
      for (Map.Entry<String, LayerEntry> item : plan.entries.entrySet()) {
        LayerEntry e = item.getValue();
        md.string(e.path());
        md.string(e.type().name());
        md.u64(e.mode());
        md.u64(e.uid());
        md.u64(e.gid());
        md.string(e.linkTarget() == null ? "" : e.linkTarget());
        if (e.type() == LayerEntry.Type.REGULAR) {
          ContextHasher statCache = plan.statCached.get(e.path());
          md.string(e.source() == null ? Digest.sha256Of(new byte[0]).toString()
              : statCache != null ? statCache.fileDigest(e.source(), plan.hostFiles.get(e.path())).toString()
              : treeDigests.digest(e.source()).toString());
        }
      }
      treeDigests.save();
    } catch (IOException e) {
      throw new BuildException(ctx.where(copyOrAdd) + ": cannot hash the sources: " + e.getMessage(), e);
    }
    return md.digest().toString();
  }

  /**
   * Length-prefixed fields into a SHA-256, gathered in a buffer: a COPY of thousands of files is hundreds of
   * thousands of fields, and one {@link MessageDigest#update(byte)} per byte was a tenth of a warm rebuild.
   */
  private static final class KeyBytes {
    private final MessageDigest md = Digest.newSha256();
    private final java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);

    void u64(long v) {
      room(8);
      buf.putLong(v); // big-endian, as the byte-wise encoding it replaces
    }

    void string(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      if (b.length > buf.remaining()) {
        flush();
        md.update(b);
      } else {
        buf.put(b);
      }
    }

    Digest digest() {
      flush();
      return Digest.sha256(md.digest());
    }

    private void room(int n) {
      if (buf.remaining() < n) {
        flush();
      }
    }

    private void flush() {
      md.update(buf.array(), 0, buf.position());
      buf.clear();
    }
  }
}
