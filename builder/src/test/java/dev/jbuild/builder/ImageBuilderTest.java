package dev.jbuild.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jbuild.oci.ContainerConfig;
import dev.jbuild.oci.Descriptor;
import dev.jbuild.oci.ImageConfig;
import dev.jbuild.oci.Manifest;
import dev.jbuild.oci.MediaType;
import dev.jbuild.testing.BaseImages;
import dev.jbuild.testing.ImageValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTest {
  @TempDir Path tmp;
  private BuildFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new BuildFixture(tmp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void build_scratchWithCopy_writesOneLayerWithParentsAndTheConfig() throws Exception {
    f.file("hello.txt", "hi\n");
    Files.setPosixFilePermissions(f.context.resolve("hello.txt"), PosixFilePermissions.fromString("rwxr-x---"));
    BuildResult r = f.build("FROM scratch\nENV A=1\nCOPY hello.txt /opt/app/\nCMD [\"x\"]\n", "t:1");
    Manifest m = f.manifest(r);
    assertThat(m.layers()).hasSize(1);
    Map<String, BuildFixture.Entry> layer = f.layer(m.layers().get(0));
    assertThat(layer.keySet()).containsExactly("opt/", "opt/app/", "opt/app/hello.txt");
    assertThat(layer.get("opt/app/hello.txt").content()).isEqualTo("hi\n");
    assertThat(layer.get("opt/app/hello.txt").mode()).isEqualTo(0750);
    assertThat(layer.get("opt/app/hello.txt").uid()).isZero();
    assertThat(layer.get("opt/").mode()).isEqualTo(0755);
    ImageConfig c = f.config(r);
    assertThat(c.config().env()).containsExactly("A=1");
    assertThat(c.config().cmd()).containsExactly("x");
    assertThat(c.history()).extracting(ImageConfig.HistoryEntry::emptyLayer).containsExactly(true, false, true);
    assertThat(f.store.images().resolve("t:1")).contains(r.manifest());
    ImageValidator.validate(f.store.blobs(), r.manifest());
  }

  /** Hard links in the context stay one file in the layer, as BuildKit and buildah copy them. */
  @Test
  void copy_hardLinksInTheContext_stayOneFile_linkedToTheFirstName() throws Exception {
    f.file("src/b.txt", "shared\n").file("src/c.txt", "alone\n");
    Files.createLink(f.context.resolve("src/a.txt"), f.context.resolve("src/b.txt"));
    Files.createLink(f.context.resolve("src/z.txt"), f.context.resolve("src/b.txt"));
    BuildResult r = f.build("FROM scratch\nCOPY src /dst\nCOPY src/z.txt /only/\n");
    List<Descriptor> layers = f.manifest(r).layers();
    Map<String, String[]> copy = tarEntries(layers.get(0));
    assertThat(copy.keySet()).containsExactly("dst/", "dst/a.txt", "dst/b.txt", "dst/c.txt", "dst/z.txt");
    assertThat(copy.get("dst/a.txt")).containsExactly("file", "shared\n");
    assertThat(copy.get("dst/b.txt")).containsExactly("link", "dst/a.txt");
    assertThat(copy.get("dst/z.txt")).containsExactly("link", "dst/a.txt");
    assertThat(copy.get("dst/c.txt")).containsExactly("file", "alone\n");
    // A name whose partners this COPY does not take is a plain file.
    assertThat(tarEntries(layers.get(1)).get("only/z.txt")).containsExactly("file", "shared\n");
    // The cache key sees the links: unlinking one name (same content) is a different COPY.
    BuildResult again = f.build("FROM scratch\nCOPY src /dst\nCOPY src/z.txt /only/\n");
    assertThat(again.manifest()).isEqualTo(r.manifest());
    Files.delete(f.context.resolve("src/z.txt"));
    Files.writeString(f.context.resolve("src/z.txt"), "shared\n");
    BuildResult unlinked = f.build("FROM scratch\nCOPY src /dst\nCOPY src/z.txt /only/\n");
    assertThat(tarEntries(f.manifest(unlinked).layers().get(0)).get("dst/z.txt")).containsExactly("file", "shared\n");
    ImageValidator.validate(f.store.blobs(), unlinked.manifest());
  }

  /** An mtime beyond what nanoseconds since 1970 hold in a long (2262) reaches the layer exactly. */
  @Test
  void copy_fileFromTheFarFuture_keepsItsMtime() throws Exception {
    f.file("future.txt", "later\n");
    Instant when = Instant.parse("2300-01-01T00:00:00Z");
    // touch, not Files.setLastModifiedTime, which itself saturates at 2262.
    Process touch = new ProcessBuilder("touch", "-d", "2300-01-01 00:00:00 UTC", f.context.resolve("future.txt")
        .toString()).inheritIO().start();
    assertThat(touch.waitFor()).isZero();
    BuildResult r = f.build("FROM scratch\nCOPY future.txt /\n");
    assertThat(f.layer(f.manifest(r).layers().get(0)).get("future.txt").mtime()).isEqualTo(when);
  }

  /** One file reached twice (a symlinked source is followed) is two files, not a hard link: it has one name. */
  @Test
  void copy_sameSingleNamedFileReachedTwice_isNotLinked() throws Exception {
    f.file("lib.so.1", "elf\n");
    Files.createSymbolicLink(f.context.resolve("lib.so"), Path.of("lib.so.1"));
    BuildResult r = f.build("FROM scratch\nCOPY lib.so.1 lib.so /usr/lib/\n");
    Map<String, String[]> layer = tarEntries(f.manifest(r).layers().get(0));
    assertThat(layer.get("usr/lib/lib.so.1")).containsExactly("file", "elf\n");
    assertThat(layer.get("usr/lib/lib.so")).containsExactly("file", "elf\n");
  }

  /** Path to {type, content or link target} of a layer's tar entries, in tar order. */
  private Map<String, String[]> tarEntries(Descriptor layer) throws Exception {
    Map<String, String[]> out = new java.util.LinkedHashMap<>();
    try (java.io.InputStream in = f.store.blobs().open(layer.digest());
        org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar =
            new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                MediaType.layerCompression(layer.mediaType()) == MediaType.Compression.GZIP
                    ? new java.util.zip.GZIPInputStream(in) : in)) {
      org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.put(e.getName(), e.isLink() ? new String[] {"link", e.getLinkName()}
            : e.isDirectory() ? new String[] {"dir", null}
            : new String[] {"file", new String(tar.readAllBytes(), StandardCharsets.UTF_8)});
      }
    }
    return out;
  }

  @Test
  void copy_directorySource_copiesItsContentsNotItself() throws Exception {
    f.file("src/a.txt", "a").file("src/sub/b.txt", "b");
    BuildResult r = f.build("FROM scratch\nCOPY src /dst\n");
    assertThat(f.layer(f.manifest(r).layers().get(0)).keySet())
        .containsExactly("dst/", "dst/a.txt", "dst/sub/", "dst/sub/b.txt");
  }

  @Test
  void copy_wildcards_matchInSortedOrder() throws Exception {
    f.file("b.txt", "b").file("a.txt", "a").file("c.md", "c");
    BuildResult r = f.build("FROM scratch\nCOPY *.txt /out/\n");
    assertThat(f.layer(f.manifest(r).layers().get(0)).keySet()).containsExactly("out/", "out/a.txt", "out/b.txt");
  }

  @Test
  void copy_severalSourcesToAFileDestination_isRefusedWithTheLine() throws Exception {
    f.file("a.txt", "a").file("b.txt", "b");
    assertThatThrownBy(() -> f.build("FROM scratch\n\nCOPY a.txt b.txt /out\n"))
        .isInstanceOf(BuildException.class)
        .hasMessageStartingWith("Dockerfile:3: ")
        .hasMessageContaining("the destination must be a directory and end with a /");
  }

  @Test
  void copy_relativeDestination_isRelativeToWorkdir_andChownChmodApply() throws Exception {
    f.file("a.txt", "a");
    BuildResult r = f.build("FROM scratch\nWORKDIR /srv\nCOPY --chown=1000:1001 --chmod=0600 a.txt data/\n");
    Manifest m = f.manifest(r);
    BuildFixture.Entry e = f.layer(m.layers().get(1)).get("srv/data/a.txt");
    assertThat(e.uid()).isEqualTo(1000);
    assertThat(e.gid()).isEqualTo(1001);
    assertThat(e.mode()).isEqualTo(0600);
  }

  @Test
  void workdir_existingDirectory_makesNoLayer() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    BuildResult r = f.build("FROM busybox:test\nWORKDIR /tmp\nWORKDIR /srv/app\n");
    Manifest m = f.manifest(r);
    assertThat(m.layers()).hasSize(2); // the base layer and /srv/app
    assertThat(f.layer(m.layers().get(1)).keySet()).containsExactly("srv/", "srv/app/");
    ImageConfig c = f.config(r);
    assertThat(c.config().workingDir()).isEqualTo("/srv/app");
    assertThat(c.history().get(c.history().size() - 2).emptyLayer()).isTrue();
    ImageValidator.validate(f.store.blobs(), r.manifest());
  }

  @Test
  void copy_intoExistingBaseDirectory_keepsTheParentsMetadata() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    f.file("motd", "welcome\n");
    BuildResult r = f.build("FROM busybox:test\nCOPY motd /tmp/\n");
    Map<String, BuildFixture.Entry> layer = f.layer(f.manifest(r).layers().get(1));
    assertThat(layer.get("tmp/").mode()).isEqualTo(01777);
    assertThat(f.config(r).config().cmd()).containsExactly("sh");
  }

  @Test
  void entrypoint_resetsAnInheritedCmd_butKeepsOneSetInTheSameStage() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    ContainerConfig inherited = f.config(f.build("FROM busybox:test\nENTRYPOINT [\"/bin/echo\"]\n")).config();
    assertThat(inherited.entrypoint()).containsExactly("/bin/echo");
    assertThat(inherited.cmd()).isNull();
    ContainerConfig own = f.config(f.build("FROM busybox:test\nCMD [\"hi\"]\nENTRYPOINT echo\n")).config();
    assertThat(own.cmd()).containsExactly("hi");
    assertThat(own.entrypoint()).containsExactly("/bin/sh", "-c", "echo");
  }

  @Test
  void args_globalInFrom_stageRedeclaration_buildArgOverride_envWins() throws Exception {
    BaseImages.busybox(f.store, "busybox:test");
    f.file("Dockerfile", "ARG BASE=busybox:test\nARG V=global\nFROM $BASE\nARG V\nARG W=w-default\nENV W=env\n"
        + "LABEL v=$V w=$W target=$TARGETARCH\n");
    BuildOptions options = BuildOptions.builder(f.context).buildArg("V", "cli").build();
    BuildResult r = new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE).build(options);
    Map<String, String> labels = f.config(r).config().labels();
    assertThat(labels).containsEntry("v", "cli").containsEntry("w", "env");
    // TARGETARCH is global but not redeclared in the stage: it expands to nothing, as in BuildKit.
    assertThat(labels).containsEntry("target", "");
  }

  @Test
  void buildArgs_unconsumed_warnByName_butProxyArgsDoNot() throws Exception {
    f.file("Dockerfile", "FROM scratch\nARG USED\n");
    BuildOptions options = BuildOptions.builder(f.context).buildArg("USED", "1").buildArg("TYPO", "2")
        .buildArg("HTTPS_PROXY", "http://proxy:3128").buildArg("no_proxy", "localhost").build();
    List<BuildEvent> events = new java.util.ArrayList<>();
    new ImageBuilder(f.store, BaseImagePuller.OFFLINE, events::add).build(options);
    assertThat(events).filteredOn(e -> e instanceof BuildEvent.Log l && l.level() == BuildEvent.Level.WARN)
        .extracting(e -> ((BuildEvent.Log) e).message())
        .containsExactly("one or more build args were not consumed: TYPO");
  }

  @Test
  void from_earlierStage_buildsOnItsLayers() throws Exception {
    f.file("a.txt", "a").file("b.txt", "b");
    BuildResult r = f.build("FROM scratch AS base\nCOPY a.txt /\nENV FROM_BASE=1\n\nFROM base\nCOPY b.txt /\n");
    Manifest m = f.manifest(r);
    assertThat(m.layers()).hasSize(2);
    assertThat(f.config(r).config().env()).containsExactly("FROM_BASE=1");
  }

  @Test
  void from_missingImageOffline_namesTheReference() {
    assertThatThrownBy(() -> f.build("FROM nosuch/image:1\n"))
        .hasMessageStartingWith("Dockerfile:1: ")
        .hasMessageContaining("nosuch/image:1");
  }

  @Test
  void build_sameSourcesAtOtherTimes_withEpoch_giveTheSameDigest() throws Exception {
    f.file("a.txt", "a");
    Instant epoch = Instant.ofEpochSecond(1_700_000_000);
    BuildOptions options = BuildOptions.builder(f.context).sourceDateEpoch(epoch).build();
    f.file("Dockerfile", "FROM scratch\nWORKDIR /w\nCOPY a.txt .\n");
    ImageBuilder builder = new ImageBuilder(f.store, BaseImagePuller.OFFLINE, BuildListener.NONE);
    Descriptor first = builder.build(options).manifest();
    Files.setLastModifiedTime(f.context.resolve("a.txt"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
    Descriptor second = builder.build(options).manifest();
    assertThat(second).isEqualTo(first);
    assertThat(f.layer(f.manifest(builder.build(options)).layers().get(1)).get("w/a.txt").mtime()).isEqualTo(epoch);
  }

  @Test
  void copy_symlinkInContextPointingOutside_isResolvedInsideTheContext() throws Exception {
    f.file("etc/passwd", "context copy\n");
    Files.createSymbolicLink(f.context.resolve("link"), Path.of("/etc"));
    BuildResult r = f.build("FROM scratch\nCOPY link/passwd /\n");
    assertThat(f.layer(f.manifest(r).layers().get(0)).get("passwd").content()).isEqualTo("context copy\n");
  }

  @Test
  void copy_symlinkInsideACopiedDirectory_staysASymlink() throws Exception {
    f.file("d/target.txt", "t");
    Files.createSymbolicLink(f.context.resolve("d/link"), Path.of("target.txt"));
    BuildResult r = f.build("FROM scratch\nCOPY d /d\n");
    assertThat(f.layer(f.manifest(r).layers().get(0)).get("d/link").link()).isEqualTo("target.txt");
  }

  @Test
  void configInstructions_allLandInTheConfig() throws Exception {
    BuildResult r = f.build("FROM scratch\nUSER 1000:1000\nEXPOSE 80 8000-8001/udp\nVOLUME [\"/data\"]\n"
        + "STOPSIGNAL SIGINT\nMAINTAINER someone\nSHELL [\"/bin/bash\", \"-c\"]\nCMD run it\n"
        + "HEALTHCHECK --interval=1m30s --retries=2 CMD [\"check\"]\nONBUILD COPY . /src\n");
    ImageConfig c = f.config(r);
    ContainerConfig cc = c.config();
    assertThat(cc.user()).isEqualTo("1000:1000");
    assertThat(cc.exposedPorts()).containsExactly("80/tcp", "8000/udp", "8001/udp");
    assertThat(cc.volumes()).containsExactly("/data");
    assertThat(cc.stopSignal()).isEqualTo("SIGINT");
    assertThat(c.author()).isEqualTo("someone");
    assertThat(cc.cmd()).containsExactly("/bin/bash", "-c", "run it");
    assertThat(cc.healthcheck().test()).containsExactly("CMD", "check");
    assertThat(cc.healthcheck().interval()).hasSeconds(90);
    assertThat(cc.healthcheck().retries()).isEqualTo(2);
    assertThat(cc.onBuild()).containsExactly("COPY . /src");
    assertThat(f.manifest(r).layers()).isEmpty();
    assertThat(List.of(c.history().size())).containsExactly(9);
  }
}
