package dev.jbuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.ArgDef;
import dev.jbuild.dockerfile.ir.Cmd;
import dev.jbuild.dockerfile.ir.Command;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Directive;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.Entrypoint;
import dev.jbuild.dockerfile.ir.Env;
import dev.jbuild.dockerfile.ir.Expose;
import dev.jbuild.dockerfile.ir.From;
import dev.jbuild.dockerfile.ir.Healthcheck;
import dev.jbuild.dockerfile.ir.Heredoc;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.KeyValue;
import dev.jbuild.dockerfile.ir.Label;
import dev.jbuild.dockerfile.ir.Maintainer;
import dev.jbuild.dockerfile.ir.Onbuild;
import dev.jbuild.dockerfile.ir.Run;
import dev.jbuild.dockerfile.ir.RunMount;
import dev.jbuild.dockerfile.ir.Shell;
import dev.jbuild.dockerfile.ir.SourceSpan;
import dev.jbuild.dockerfile.ir.Stage;
import dev.jbuild.dockerfile.ir.StopSignal;
import dev.jbuild.dockerfile.ir.User;
import dev.jbuild.dockerfile.ir.Volume;
import dev.jbuild.dockerfile.ir.Workdir;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

  private static Dockerfile parse(String text) throws DockerfileSyntaxException {
    return DockerfileParser.parse(text, "Dockerfile");
  }

  /** The only instruction after "FROM scratch". */
  private static Instruction single(String line) throws DockerfileSyntaxException {
    List<Instruction> body = parse("FROM scratch\n" + line + "\n").stages().get(0).instructions();
    assertThat(body).hasSize(1);
    return body.get(0);
  }

  private static SourceSpan line2(String line) {
    return new SourceSpan(2, 1, 2, line.length());
  }

  @Test
  void parse_fromWithPlatformAndName_keepsRawValues() throws Exception {
    Dockerfile df = parse("ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM ${BASE}:3 AS Build\n");

    assertThat(df.globalArgs()).containsExactly(new Arg(new SourceSpan(1, 1, 1, 15), "ARG BASE=alpine",
        List.of(new ArgDef("BASE", "alpine"))));
    Stage stage = df.stages().get(0);
    assertThat(stage.name()).isEqualTo("build");
    assertThat(stage.from()).isEqualTo(new From(new SourceSpan(2, 1, 2, 49),
        "FROM --platform=$BUILDPLATFORM ${BASE}:3 AS Build", "${BASE}:3", "$BUILDPLATFORM", "Build"));
  }

  @Test
  void stage_byNameOrIndex_findsStage() throws Exception {
    Dockerfile df = parse("FROM a AS one\nFROM b AS Two\nFROM c\n");

    assertThat(df.stage("TWO")).map(Stage::index).contains(1);
    assertThat(df.stage("2")).map(s -> s.from().image()).contains("c");
    assertThat(df.stage("3")).isEmpty();
    assertThat(df.stage("nope")).isEmpty();
  }

  @Test
  void parse_copyWithAllFlags_parsesToRecord() throws Exception {
    String line = "COPY --from=build --chown=1:2 --chmod=755 --link --exclude=*.md --exclude=x --parents a b /dst/";

    assertThat(single(line)).isEqualTo(new Copy(line2(line), line, List.of("a", "b"), "/dst/", "build", "1:2",
        "755", true, List.of("*.md", "x"), true, List.of()));
  }

  @Test
  void parse_copyJsonForm_keepsSpacesInPaths() throws Exception {
    String line = "COPY [\"a b\", \"/c d/\"]";

    assertThat(single(line)).isEqualTo(new Copy(line2(line), line, List.of("a b"), "/c d/", null, null, null,
        false, List.of(), false, List.of()));
  }

  @Test
  void parse_addWithFlags_parsesToRecord() throws Exception {
    String line = "ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false --link=false https://x/y.tgz /y";

    assertThat(single(line)).isEqualTo(new Add(line2(line), line, List.of("https://x/y.tgz"), "/y", null, null,
        false, List.of(), "sha256:abc", true, false, List.of()));
  }

  @Test
  void parse_addWithoutUnpack_hasNullUnpack() throws Exception {
    assertThat(((Add) single("ADD a /b")).unpack()).isNull();
  }

  @Test
  void parse_envBothForms_keepsQuotesRaw() throws Exception {
    assertThat(single("ENV A=\"x y\" B=z")).isEqualTo(new Env(line2("ENV A=\"x y\" B=z"), "ENV A=\"x y\" B=z",
        List.of(new KeyValue("A", "\"x y\""), new KeyValue("B", "z"))));
    assertThat(((Env) single("ENV PATH /a b")).pairs()).containsExactly(new KeyValue("PATH", "/a b"));
  }

  @Test
  void parse_label_parsesPairs() throws Exception {
    assertThat(single("LABEL a=b \"c d\"=e")).isEqualTo(new Label(line2("LABEL a=b \"c d\"=e"),
        "LABEL a=b \"c d\"=e", List.of(new KeyValue("a", "b"), new KeyValue("\"c d\"", "e"))));
  }

  @Test
  void parse_argInStage_parsesDefaults() throws Exception {
    assertThat(((Arg) single("ARG a b=\"1 2\" c=")).args())
        .containsExactly(new ArgDef("a", null), new ArgDef("b", "\"1 2\""), new ArgDef("c", ""));
  }

  @Test
  void parse_cmdAndEntrypoint_distinguishesExecAndShellForm() throws Exception {
    assertThat(single("CMD [\"a\", \"b c\"]")).isEqualTo(new Cmd(line2("CMD [\"a\", \"b c\"]"),
        "CMD [\"a\", \"b c\"]", new Command(true, List.of("a", "b c"))));
    assertThat(single("ENTRYPOINT exec  \"$0\" x")).isEqualTo(new Entrypoint(line2("ENTRYPOINT exec  \"$0\" x"),
        "ENTRYPOINT exec  \"$0\" x", new Command(false, List.of("exec  \"$0\" x"))));
    assertThat(((Cmd) single("CMD [\"a\"")).command()).isEqualTo(new Command(false, List.of("[\"a\"")));
  }

  @Test
  void parse_runWithMountsNetworkSecurity_parsesToRecord() throws Exception {
    String line = "RUN --mount=type=cache,target=/root/.m2,sharing=locked --mount=type=secret,id=tok,required "
        + "--network=none --security=insecure mvn -B package";
    Map<String, String> cache = new LinkedHashMap<>();
    cache.put("target", "/root/.m2");
    cache.put("sharing", "locked");
    Map<String, String> secret = new LinkedHashMap<>();
    secret.put("id", "tok");
    secret.put("required", "true");

    assertThat(single(line)).isEqualTo(new Run(line2(line), line, new Command(false, List.of("mvn -B package")),
        List.of(new RunMount("cache", cache), new RunMount("secret", secret)), "none", "insecure", List.of()));
  }

  @Test
  void parse_runMountDefaultType_isBind() throws Exception {
    Run run = (Run) single("RUN --mount=target=/src,from=build,rw make");

    assertThat(run.mounts()).containsExactly(new RunMount("bind", Map.of("target", "/src", "from", "build",
        "rw", "true")));
  }

  @Test
  void parse_runHeredocs_attachesBodies() throws Exception {
    Dockerfile df = parse("FROM a\nRUN <<EOF cat <<-'END'\necho $HOME\nEOF\n\t\tplain\n\tEND\nUSER x\n");
    List<Instruction> body = df.stages().get(0).instructions();

    Run run = (Run) body.get(0);
    assertThat(run.command()).isEqualTo(new Command(false, List.of("<<EOF cat <<-'END'")));
    assertThat(run.heredocs()).containsExactly(new Heredoc("EOF", "echo $HOME\n", true, false),
        new Heredoc("END", "plain\n", false, true));
    assertThat(run.span()).isEqualTo(new SourceSpan(2, 1, 6, 4));
    assertThat(body.get(1)).isInstanceOf(User.class);
  }

  @Test
  void parse_copyHeredoc_isSourceNotPath() throws Exception {
    Copy copy = (Copy) parse("FROM a\nCOPY <<\"EOT\" x /dst\nhello $X\nEOT\n").stages().get(0).instructions().get(0);

    assertThat(copy.sources()).containsExactly("x");
    assertThat(copy.heredocs()).containsExactly(new Heredoc("EOT", "hello $X\n", false, false));
    assertThat(copy.destination()).isEqualTo("/dst");
  }

  @Test
  void parse_heredocLookalikes_areNotHeredocs() throws Exception {
    Dockerfile df = parse("FROM a\nRUN echo \"<<EOF\" '<<X' a<<b\nCMD <<EOF\nRUN [\"<<EOF\"]\n");

    assertThat(df.stages().get(0).instructions()).hasSize(3);
    assertThat(((Run) df.stages().get(0).instructions().get(0)).heredocs()).isEmpty();
  }

  @Test
  void parse_simpleInstructions_parseToRecords() throws Exception {
    assertThat(single("WORKDIR /a b")).isEqualTo(new Workdir(line2("WORKDIR /a b"), "WORKDIR /a b", "/a b"));
    assertThat(single("USER app:app")).isEqualTo(new User(line2("USER app:app"), "USER app:app", "app:app"));
    assertThat(single("EXPOSE 80/tcp 443")).isEqualTo(new Expose(line2("EXPOSE 80/tcp 443"), "EXPOSE 80/tcp 443",
        List.of("80/tcp", "443")));
    assertThat(single("VOLUME [\"/a\", \"/b\"]")).isEqualTo(new Volume(line2("VOLUME [\"/a\", \"/b\"]"),
        "VOLUME [\"/a\", \"/b\"]", List.of("/a", "/b")));
    assertThat(single("MAINTAINER me <m@e>")).isEqualTo(new Maintainer(line2("MAINTAINER me <m@e>"),
        "MAINTAINER me <m@e>", "me <m@e>"));
    assertThat(single("STOPSIGNAL SIGKILL")).isEqualTo(new StopSignal(line2("STOPSIGNAL SIGKILL"),
        "STOPSIGNAL SIGKILL", "SIGKILL"));
    assertThat(single("SHELL [\"bash\", \"-c\"]")).isEqualTo(new Shell(line2("SHELL [\"bash\", \"-c\"]"),
        "SHELL [\"bash\", \"-c\"]", List.of("bash", "-c")));
    assertThat(single("ONBUILD RUN make")).isEqualTo(new Onbuild(line2("ONBUILD RUN make"), "ONBUILD RUN make",
        "RUN make"));
  }

  @Test
  void parse_healthcheck_parsesFlagsAndCommand() throws Exception {
    String line = "HEALTHCHECK --interval=5s --timeout=3s --start-period=1m --start-interval=2s --retries=3 "
        + "CMD [\"curl\", \"-f\", \"http://localhost\"]";

    assertThat(single(line)).isEqualTo(new Healthcheck(line2(line), line, false,
        new Command(true, List.of("curl", "-f", "http://localhost")), "5s", "3s", "1m", "2s", 3));
    assertThat(single("HEALTHCHECK NONE")).isEqualTo(new Healthcheck(line2("HEALTHCHECK NONE"),
        "HEALTHCHECK NONE", true, null, null, null, null, null, null));
  }

  @Test
  void parse_directivesAndBacktickEscape_applyEscape() throws Exception {
    Dockerfile df = parse("# syntax=docker/dockerfile:1\n# escape=`\n\nFROM a\nRUN echo `\n  hi\n");

    assertThat(df.directives()).containsExactly(
        new Directive("syntax", "docker/dockerfile:1", new SourceSpan(1, 1, 1, 28)),
        new Directive("escape", "`", new SourceSpan(2, 1, 2, 10)));
    assertThat(((Run) df.stages().get(0).instructions().get(0)).command().args()).containsExactly("echo   hi");
  }

  @Test
  void parse_crlfAndBom_areNormalised() throws Exception {
    Dockerfile df = parse("\uFEFFFROM a\r\nRUN a \\\r\n  b\r\n");

    assertThat(((Run) df.stages().get(0).instructions().get(0)).command().args()).containsExactly("a   b");
  }

  @Test
  void parse_caseInsensitiveKeywords_areRecognised() throws Exception {
    assertThat(parse("from a\nrUn x\n").stages().get(0).instructions().get(0)).isInstanceOf(Run.class);
  }

  @Test
  void parse_spanAndOriginal_coverContinuations() throws Exception {
    Run run = (Run) parse("FROM a\n  RUN a \\\n# c\n\n    b\n").stages().get(0).instructions().get(0);

    assertThat(run.span()).isEqualTo(new SourceSpan(2, 3, 5, 5));
    assertThat(run.original()).isEqualTo("RUN a     b");
  }
}
