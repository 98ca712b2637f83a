package dev.jbuild.builder.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.jbuild.builder.BaseImagePuller;
import dev.jbuild.builder.BuildListener;
import dev.jbuild.dockerfile.DockerfileParser;
import dev.jbuild.dockerfile.expand.ShellLex;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Platform;
import dev.jbuild.store.Store;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyInputsDigestTest {
  @TempDir Path tmp;
  private Store store;
  private Path dir;
  private StepContext step;
  private CopySources sources;
  private CopyInstruction copy;
  private StageState state;

  @BeforeEach
  void setUp() throws Exception {
    store = Store.open(tmp.resolve("store"));
    dir = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(dir.resolve("a"), "one");
    BuildContext context = BuildContext.open(dir, null);
    step = new StepContext(store, context, "Dockerfile", new ShellLex('\\'),
        Instant.parse("2024-01-01T00:00:00Z"), null, BuildListener.NONE,
        dev.jbuild.store.cache.ContextHasher.open(store, context.root()));
    sources = new CopySources(store, BaseImagePuller.OFFLINE, StageLookup.NONE, Platform.host(), BuildListener.NONE);
    copy = new CopyInstruction(step, sources);
    state = new StageState("s", ImageConfig.scratch(Platform.host()), List.of());
  }

  @AfterEach
  void tearDown() {
    sources.close();
    store.close();
  }

  private static Instruction instruction(String line) throws Exception {
    return DockerfileParser.parse("FROM scratch\n" + line + "\n", "Dockerfile").stages().get(0).instructions().get(0);
  }

  private String digest(String line) throws Exception {
    return copy.inputsDigest(instruction(line), state);
  }

  @Test
  void inputsDigest_ignoresMtime_butSeesContentModeAndOwner() throws Exception {
    String first = digest("COPY a /x/");
    assertThat(first).matches("sha256:[0-9a-f]{64}");
    Files.setLastModifiedTime(dir.resolve("a"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    assertThat(digest("COPY a /x/")).isEqualTo(first);
    assertThat(digest("COPY --chmod=600 a /x/")).isNotEqualTo(first);
    assertThat(digest("COPY --chown=1:1 a /x/")).isNotEqualTo(first);
    assertThat(digest("COPY a /y/")).isNotEqualTo(first);
    Files.writeString(dir.resolve("a"), "two");
    assertThat(digest("COPY a /x/")).isNotEqualTo(first);
    assertThat(state.layers()).isEmpty(); // nothing was written
  }

  @Test
  void inputsDigest_unchangedContextFile_isAnsweredByTheStatCache() throws Exception {
    Files.setLastModifiedTime(dir.resolve("a"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    Thread.sleep(2100); // past the racy window for the file's ctime
    digest("COPY a /x/");
    long readsBefore = step.hasher().stats().filesRead();
    digest("COPY a /z/");
    assertThat(step.hasher().stats().filesRead()).isEqualTo(readsBefore);
    assertThat(step.hasher().stats().statHits()).isPositive();
  }

  /**
   * A directory named context ({@code --build-context extra=DIR}) is hashed through a stat cache of its own, saved
   * when the build ends: the next build reads none of its unchanged files, and still sees an edit.
   */
  @Test
  void inputsDigest_namedDirectory_isHashedThroughItsStatCache_acrossBuilds() throws Exception {
    Path extra = Files.createDirectories(tmp.resolve("extra"));
    Files.writeString(extra.resolve("lib.txt"), "v1");
    Files.setLastModifiedTime(extra.resolve("lib.txt"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    Thread.sleep(2100); // past the racy window for the file's ctime
    StageLookup lookup = new StageLookup() {
      @Override
      public java.util.Optional<StageState> stage(String nameOrIndex) {
        return java.util.Optional.empty();
      }

      @Override
      public StageState image(String reference, Instruction at) {
        throw new AssertionError("no image expected: " + reference);
      }

      @Override
      public java.util.Optional<Path> directory(String name) {
        return name.equals("extra") ? java.util.Optional.of(extra) : java.util.Optional.empty();
      }
    };
    String first;
    try (CopySources build1 = new CopySources(store, BaseImagePuller.OFFLINE, lookup, Platform.host(),
        BuildListener.NONE)) {
      first = new CopyInstruction(step, build1).inputsDigest(instruction("COPY --from=extra lib.txt /l"), state);
      assertThat(build1.namedDirectory("extra", "test").orElseThrow().hasher().stats().filesRead()).isEqualTo(1);
    }
    try (CopySources build2 = new CopySources(store, BaseImagePuller.OFFLINE, lookup, Platform.host(),
        BuildListener.NONE)) {
      String again = new CopyInstruction(step, build2).inputsDigest(instruction("COPY --from=extra lib.txt /l"), state);
      var stats = build2.namedDirectory("extra", "test").orElseThrow().hasher().stats();
      assertThat(again).isEqualTo(first);
      assertThat(stats.filesRead()).as("files read by the second build").isZero();
      assertThat(stats.statHits()).isEqualTo(1);
    }
    Files.writeString(extra.resolve("lib.txt"), "v2");
    try (CopySources build3 = new CopySources(store, BaseImagePuller.OFFLINE, lookup, Platform.host(),
        BuildListener.NONE)) {
      assertThat(new CopyInstruction(step, build3).inputsDigest(instruction("COPY --from=extra lib.txt /l"), state))
          .isNotEqualTo(first);
    }
  }

  @Test
  void inputsDigest_url_downloadsOnce_andTheApplyReusesIt() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/f", ex -> {
      requests.incrementAndGet();
      byte[] body = "remote".getBytes();
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      Instruction add = instruction("ADD http://127.0.0.1:" + server.getAddress().getPort() + "/f /f");
      String d = copy.inputsDigest(add, state);
      copy.apply((dev.jbuild.dockerfile.ir.Add) add, state);
      assertThat(copy.inputsDigest(add, new StageState("t", ImageConfig.scratch(Platform.host()), List.of())))
          .isEqualTo(d);
      assertThat(requests.get()).isEqualTo(1);
      assertThat(state.layers()).hasSize(1);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void inputsDigest_hugeSparseFile_isStreamed() throws Exception {
    // B08: just above 2^31 bytes: hashing streams, never one array.
    try (var ch = java.nio.channels.FileChannel.open(dir.resolve("big"), java.nio.file.StandardOpenOption
        .CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.position(1L << 31);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
    }
    assertThat(digest("COPY big /big")).matches("sha256:[0-9a-f]{64}");
  }
}
