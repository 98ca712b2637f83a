package dev.jbuild.cli;

import dev.jbuild.runtime.ContainerRecord;
import dev.jbuild.runtime.ContainerRuntime;
import dev.jbuild.runtime.Stdio;
import dev.jbuild.store.Store;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild logs [-f] CONTAINER}: the kept output of a container (stdout and stderr interleaved as written), for
 * detached runs and attached runs without a tty.
 */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a container's kept output.")
final class LogsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand JbuildCommand parent;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container stops.")
  boolean follow;

  @Parameters(index = "0", paramLabel = "CONTAINER") String container;

  @Override
  public Integer call() {
    return ContainerCli.guarded(spec, parent.global.debug, () -> {
      try (Store store = parent.global.openStore()) {
        ContainerRuntime runtime = ContainerRuntime.open(store);
        ContainerRecord r = runtime.containers().find(container);
        Path log = runtime.log(r);
        Stdio stdio = ContainerCli.stdio(spec, parent.realStdio);
        OutputStream out = stdio.out();
        long offset = 0;
        while (true) {
          boolean running = follow && runtime.containers().read(r.id())
              .map(c -> c.state().status() == ContainerRecord.Status.RUNNING).orElse(false);
          if (Files.exists(log)) {
            try (InputStream in = Files.newInputStream(log)) {
              in.skipNBytes(Math.min(offset, Files.size(log)));
              byte[] buf = new byte[65536];
              int n;
              while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                offset += n;
              }
            }
            out.flush();
          }
          if (!running) {
            break;
          }
          Thread.sleep(200);
        }
      }
      return 0;
    });
  }
}
