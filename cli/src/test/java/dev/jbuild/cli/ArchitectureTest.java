package dev.jbuild.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module graph of DEVELOPERS.md, checked on imports: each module's package may use only the packages of
 * the modules below it. Maven already refuses a missing dependency; this catches what Maven cannot, such as a
 * transitive dependency used directly, ANTLR leaking into the IR, or a library printing to stdout.
 */
class ArchitectureTest {
  /** Module package to the project packages it may use (its own is always allowed). */
  private static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

  static {
    ALLOWED.put("dev.jbuild.oci", List.of());
    ALLOWED.put("dev.jbuild.dockerfile", List.of("dev.jbuild.oci"));
    ALLOWED.put("dev.jbuild.store", List.of("dev.jbuild.oci"));
    ALLOWED.put("dev.jbuild.testing", List.of("dev.jbuild.oci", "dev.jbuild.store"));
    ALLOWED.put("dev.jbuild.registry", List.of("dev.jbuild.oci", "dev.jbuild.store"));
    ALLOWED.put("dev.jbuild.runtime", List.of("dev.jbuild.oci", "dev.jbuild.store"));
    ALLOWED.put("dev.jbuild.builder",
        List.of("dev.jbuild.oci", "dev.jbuild.dockerfile", "dev.jbuild.store", "dev.jbuild.registry",
            "dev.jbuild.runtime"));
    ALLOWED.put("dev.jbuild.cli",
        List.of("dev.jbuild.oci", "dev.jbuild.dockerfile", "dev.jbuild.store", "dev.jbuild.registry",
            "dev.jbuild.runtime", "dev.jbuild.builder"));
    ALLOWED.put("dev.jbuild.maven", List.of("dev.jbuild.oci", "dev.jbuild.builder", "dev.jbuild.store",
        "dev.jbuild.registry"));
  }

  private static JavaClasses project;

  @BeforeAll
  static void importProject() {
    project = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.jbuild");
  }

  @Test
  void modules_importOnlyTheModulesBelowThem() {
    for (Map.Entry<String, List<String>> module : ALLOWED.entrySet()) {
      List<String> forbidden = new ArrayList<>();
      for (String other : ALLOWED.keySet()) {
        if (!other.equals(module.getKey()) && !module.getValue().contains(other)) {
          forbidden.add(other + "..");
        }
      }
      noClasses().that().resideInAPackage(module.getKey() + "..")
          .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
          .because(module.getKey() + " may only use " + module.getValue())
          // A module whose first class has not arrived yet matches nothing; that is fine here,
          // and oneModule_isNotEmpty keeps the import itself from being empty.
          .allowEmptyShould(true)
          .check(project);
    }
  }

  @Test
  void everyClass_livesInAKnownModule() {
    String[] known = ALLOWED.keySet().stream().map(p -> p + "..").toArray(String[]::new);
    classes().that().resideInAPackage("dev.jbuild..").should().resideInAnyPackage(known)
        .because("a new module must be added to the graph in the root pom and here")
        .check(project);
  }

  @Test
  void dockerfileIr_hasNoAntlr() {
    noClasses().that().resideInAPackage("dev.jbuild.dockerfile.ir..")
        .should().dependOnClassesThat().resideInAPackage("org.antlr..")
        .check(project);
  }

  @Test
  void libraries_neverPrint() {
    // ForkMain is a front end too: its stdout is the JSON-lines channel the Maven plugin reads from a forked build.
    noClasses().that().resideOutsideOfPackages("dev.jbuild.cli..", "dev.jbuild.testing..")
        .and().doNotHaveFullyQualifiedName("dev.jbuild.maven.ForkMain")
        .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
        .because("libraries emit events; only front ends print (DESIGN 6)")
        .check(project);
  }

  @Test
  void cli_usesOnlyTheBuildersPublicApi() {
    noClasses().that().resideInAPackage("dev.jbuild.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.jbuild.builder.internal..")
        .check(project);
  }

  @Test
  void mavenPlugin_usesOnlyTheBuildersPublicApiAndNotTheCli() {
    noClasses().that().resideInAPackage("dev.jbuild.maven..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.jbuild.builder.internal..", "dev.jbuild.cli..",
            "dev.jbuild.runtime..", "dev.jbuild.dockerfile..")
        .because("the Maven plugin is a thin adapter over the builder's public API, like the CLI")
        .check(project);
  }

  @Test
  void oneModule_isNotEmpty() {
    // Guards the rules above against passing vacuously on an empty import.
    org.assertj.core.api.Assertions.assertThat(project.stream()
        .filter(c -> c.getPackageName().startsWith("dev.jbuild.oci")).count()).isGreaterThan(5);
    org.assertj.core.api.Assertions.assertThat(project.stream()
        .filter(c -> c.getPackageName().startsWith("dev.jbuild.builder")).count()).isGreaterThan(5);
    org.assertj.core.api.Assertions.assertThat(project.stream()
        .filter(c -> c.getPackageName().startsWith("dev.jbuild.maven")).count()).isGreaterThan(5);
  }
}
