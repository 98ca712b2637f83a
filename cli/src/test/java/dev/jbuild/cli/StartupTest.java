package dev.jbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Start-up work (DESIGN 8): only the named command's model is built, and the class-data training run works. */
class StartupTest {
  @TempDir Path tmp;

  @Test
  void commandName_findsTheFirstWordAfterRootOptions() {
    assertThat(Main.commandName(new String[] {"--root", "/x", "--debug", "run", "--rm", "img"})).isEqualTo("run");
    assertThat(Main.commandName(new String[] {"--root=/x", "images"})).isEqualTo("images");
    assertThat(Main.commandName(new String[] {"--version"})).isEqualTo(JbuildCommand.VERSION);
    assertThat(Main.commandName(new String[] {"--version", "--help"})).isNull();
    assertThat(Main.commandName(new String[] {})).isNull();
    // The implicit build: "jbuild -t x ." is rewritten before the name is taken.
    assertThat(Main.commandName(Main.withImplicitBuild(new String[] {"-t", "x", "."}))).isEqualTo("build");
  }

  @Test
  void commandLine_registersOnlyTheNamedCommand_orAllOfThemForHelp() {
    CommandLine run = JbuildCommand.commandLine("run");
    assertThat(run.getSubcommands()).containsOnlyKeys("run");
    assertThat(run.getSubcommands().get("run").isStopAtPositional()).isTrue();
    assertThat(JbuildCommand.commandLine(JbuildCommand.VERSION).getSubcommands()).isEmpty();
    CommandLine all = JbuildCommand.commandLine(null);
    assertThat(all.getSubcommands()).containsKeys("build", "run", "exec", "push", "pull", "help");
    assertThat(all.getSubcommands().get("exec").isStopAtPositional()).isTrue();
    // An unknown word gets every command, so picocli can list them in its error.
    assertThat(JbuildCommand.commandLine("bogus").getSubcommands()).hasSameSizeAs(all.getSubcommands());
  }

  static class Inner {
    @CommandLine.Option(names = "-x") int x;
  }

  static class Base {
    @CommandLine.Option(names = "-b") int b;
  }

  @CommandLine.Command(name = "t")
  static class Cmd extends Base {
    @CommandLine.Mixin Inner inner;
    @CommandLine.Option(names = "-y") int y;
  }

  @Test
  void warmer_parsesTheAnnotationsPicocliReads_ofTheCommandItsSuperclassesAndMixins() {
    // @Command, @Mixin and -y on Cmd; -b on its superclass; -x on the mixin.
    assertThat(StartupWarmer.parseAnnotations(Cmd.class)).isEqualTo(5);
    // Every real command's model still builds after its annotations were parsed on another thread.
    StartupWarmer.parseAnnotations(JbuildCommand.subcommandClass("run"));
    assertThat(JbuildCommand.commandLine("run").getSubcommands().get("run").getCommandSpec().findOption("--rm"))
        .isNotNull();
    assertThat(JbuildCommand.subcommandClass("bogus")).isNull();
    // The invoke warm-up goes through a record's equals, hashCode and toString, a concatenation and a lambda.
    assertThat(StartupWarmer.warmInvokeMachinery()).startsWith("false/").contains("Descriptor[")
        .endsWith("/" + dev.jbuild.oci.MediaType.OCI_CONFIG + ":1");
    assertThat(JbuildCommand.subcommandClass(null)).isNull();
  }

  @Test
  void help_stillListsEveryCommand_andVersionPrints() {
    StringWriter out = new StringWriter();
    assertThat(Main.run(new String[] {"--help"}, new PrintWriter(out), new PrintWriter(new StringWriter()))).isZero();
    assertThat(out.toString()).contains("build", "run", "commit", "manifest", "logout");
    StringWriter version = new StringWriter();
    assertThat(Main.run(new String[] {"--version"}, new PrintWriter(version), new PrintWriter(new StringWriter())))
        .isZero();
    assertThat(version.toString()).startsWith("jbuild ");
  }

  @Test
  void classDataTraining_everyTrainingCommandSucceeds_andLibrariesLoad() throws Exception {
    assertThat(ClassDataTraining.runCommands(tmp)).isEmpty();
    // On the test class path the libraries are jars (picocli, Jackson): hundreds of their classes must load.
    assertThat(ClassDataTraining.loadClasses()).isGreaterThan(500);
  }
}
