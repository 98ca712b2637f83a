package dev.jbuild.builder.internal;

import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Heredoc;
import dev.jbuild.dockerfile.ir.Instruction;
import java.util.List;

/**
 * COPY and ADD as one shape, values still raw (unexpanded). ADD-only fields are null/false for COPY, and COPY's
 * {@code --from} and {@code --parents} are null/false for ADD.
 */
record CopySpec(Instruction at, boolean add, List<String> sources, List<Heredoc> heredocs, String dest, String from,
    String chown, String chmod, boolean link, List<String> excludes, boolean parents, String checksum,
    boolean keepGitDir, Boolean unpack) {

  static CopySpec of(Instruction copyOrAdd) {
    if (copyOrAdd instanceof Copy c) {
      return new CopySpec(c, false, c.sources(), c.heredocs(), c.destination(), c.from(), c.chown(), c.chmod(),
          c.link(), c.excludes(), c.parents(), null, false, null);
    }
    if (copyOrAdd instanceof Add a) {
      return new CopySpec(a, true, a.sources(), a.heredocs(), a.destination(), null, a.chown(), a.chmod(), a.link(),
          a.excludes(), false, a.checksum(), a.keepGitDir(), a.unpack());
    }
    throw new IllegalArgumentException("not a COPY or ADD: " + copyOrAdd.original());
  }

  String keyword() {
    return add ? "ADD" : "COPY";
  }
}
