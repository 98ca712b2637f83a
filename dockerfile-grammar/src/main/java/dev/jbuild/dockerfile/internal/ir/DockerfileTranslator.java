package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParsedFile;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Arg;
import dev.jbuild.dockerfile.ir.Dockerfile;
import dev.jbuild.dockerfile.ir.From;
import dev.jbuild.dockerfile.ir.Instruction;
import dev.jbuild.dockerfile.ir.Stage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Generic AST to IR: translates every node and groups the instructions into stages. */
public final class DockerfileTranslator {
  private DockerfileTranslator() {
  }

  /** @throws ParseFailure located at the offending instruction */
  public static Dockerfile translate(String fileName, ParsedFile file) {
    List<Arg> globalArgs = new ArrayList<>();
    List<Stage> stages = new ArrayList<>();
    Set<String> names = new HashSet<>();
    From from = null;
    String name = null;
    List<Instruction> body = new ArrayList<>();
    for (Node node : file.nodes()) {
      Instruction instruction = translateLocated(node);
      if (instruction instanceof From next) {
        if (from != null) {
          stages.add(new Stage(stages.size(), name, from, body));
        }
        from = next;
        body = new ArrayList<>();
        name = next.stageName() == null ? null : next.stageName().toLowerCase(Locale.ROOT);
        if (name != null && !names.add(name)) {
          throw ParseFailure.near("duplicate stage name \"" + name + "\"", next.stageName())
              .at(node.span().startLine(), node.span().startColumn(), node.span().endLine());
        }
      } else if (from != null) {
        body.add(instruction);
      } else if (instruction instanceof Arg arg) {
        globalArgs.add(arg);
      } else {
        throw located("no build stage in current context: " + node.line().keyword().toUpperCase(Locale.ROOT)
            + " must come after FROM (only ARG may precede it)", node);
      }
    }
    if (from == null) {
      Node last = file.nodes().get(file.nodes().size() - 1);
      throw located("dockerfile contains no stages to build", last);
    }
    stages.add(new Stage(stages.size(), name, from, body));
    return new Dockerfile(fileName, file.directives(), globalArgs, stages);
  }

  private static Instruction translateLocated(Node node) {
    try {
      return InstructionTranslator.translate(node);
    } catch (ParseFailure e) {
      throw e.at(node.span().startLine(), node.span().startColumn(), node.span().endLine());
    }
  }

  private static ParseFailure located(String message, Node node) {
    return new ParseFailure(message, node.span().startLine(), node.span().startColumn());
  }
}
