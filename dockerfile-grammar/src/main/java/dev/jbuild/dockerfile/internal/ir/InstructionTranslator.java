package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Instruction;
import java.util.List;

/** Generic AST node to typed instruction: BuildKit's instruction layer, one method per family. */
final class InstructionTranslator {
  /** What a misspelt instruction word may have meant. */
  private static final List<String> KEYWORDS = List.of("add", "arg", "cmd", "copy", "entrypoint", "env", "expose",
      "from", "healthcheck", "label", "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume",
      "workdir");

  private InstructionTranslator() {
  }

  /** @throws ParseFailure without location; the caller adds the node's */
  static Instruction translate(Node node) {
    return switch (node.line().lowerKeyword()) {
      case "from" -> StageInstructions.from(node);
      case "onbuild" -> StageInstructions.onbuild(node);
      case "run" -> CommandInstructions.run(node);
      case "cmd" -> CommandInstructions.cmd(node);
      case "entrypoint" -> CommandInstructions.entrypoint(node);
      case "shell" -> CommandInstructions.shell(node);
      case "healthcheck" -> CommandInstructions.healthcheck(node);
      case "copy" -> FileInstructions.copy(node);
      case "add" -> FileInstructions.add(node);
      case "env" -> KeyValueInstructions.env(node);
      case "label" -> KeyValueInstructions.label(node);
      case "arg" -> KeyValueInstructions.arg(node);
      case "workdir" -> SimpleInstructions.workdir(node);
      case "user" -> SimpleInstructions.user(node);
      case "maintainer" -> SimpleInstructions.maintainer(node);
      case "stopsignal" -> SimpleInstructions.stopSignal(node);
      case "expose" -> SimpleInstructions.expose(node);
      case "volume" -> SimpleInstructions.volume(node);
      default -> throw ParseFailure.near(Suggest.withHint("unknown instruction: " + node.line().keyword(),
          node.line().keyword(), KEYWORDS, false, ""), node.line().keyword());
    };
  }
}
