package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Expose;
import dev.jbuild.dockerfile.ir.Maintainer;
import dev.jbuild.dockerfile.ir.StopSignal;
import dev.jbuild.dockerfile.ir.User;
import dev.jbuild.dockerfile.ir.Volume;
import dev.jbuild.dockerfile.ir.Workdir;

/** Instructions with a plain string or a plain list of strings. */
final class SimpleInstructions {
  private SimpleInstructions() {
  }

  private static String single(LineNode line) {
    Checks.noFlags(line);
    Checks.exactlyOne(line);
    return line.args().get(0);
  }

  static Workdir workdir(Node node) {
    return new Workdir(node.span(), node.line().original(), single(node.line()));
  }

  static User user(Node node) {
    return new User(node.span(), node.line().original(), single(node.line()));
  }

  static Maintainer maintainer(Node node) {
    return new Maintainer(node.span(), node.line().original(), single(node.line()));
  }

  static StopSignal stopSignal(Node node) {
    return new StopSignal(node.span(), node.line().original(), single(node.line()));
  }

  static Expose expose(Node node) {
    Checks.noFlags(node.line());
    Checks.atLeastOne(node.line());
    return new Expose(node.span(), node.line().original(), node.line().args());
  }

  static Volume volume(Node node) {
    Checks.noFlags(node.line());
    Checks.atLeastOne(node.line());
    for (String path : node.line().args()) {
      if (path.isBlank()) {
        throw new ParseFailure("VOLUME specified can not be an empty string");
      }
    }
    return new Volume(node.span(), node.line().original(), node.line().args());
  }
}
