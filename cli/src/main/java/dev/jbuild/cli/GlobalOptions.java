package dev.jbuild.cli;

import dev.jbuild.store.Store;
import dev.jbuild.store.StoreException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes: where the store is, and how much to say on failure. */
final class GlobalOptions {
  @Option(names = "--root", scope = ScopeType.INHERIT, paramLabel = "DIR",
      description = "The local store (default: /var/lib/jbuild as root, else ~/.local/share/jbuild; env JBUILD_ROOT).")
  Path root;

  @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Show stack traces on errors.")
  boolean debug;

  Store openStore() throws StoreException {
    return Store.open(root != null ? root : Store.defaultRoot());
  }
}
