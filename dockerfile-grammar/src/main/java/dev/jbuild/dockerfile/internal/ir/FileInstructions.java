package dev.jbuild.dockerfile.internal.ir;

import dev.jbuild.dockerfile.internal.ast.HeredocMarker;
import dev.jbuild.dockerfile.internal.ast.HeredocScanner;
import dev.jbuild.dockerfile.internal.ast.LineNode;
import dev.jbuild.dockerfile.internal.ast.Node;
import dev.jbuild.dockerfile.internal.ast.ParseFailure;
import dev.jbuild.dockerfile.ir.Add;
import dev.jbuild.dockerfile.ir.Copy;
import dev.jbuild.dockerfile.ir.Heredoc;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** COPY and ADD: sources (paths or heredocs) and a destination. */
final class FileInstructions {
  private FileInstructions() {
  }

  private record SourcesAndDest(List<String> paths, List<Heredoc> heredocs, String destination) {
  }

  static Copy copy(Node node) {
    LineNode line = node.line();
    FlagSet flags = new FlagSet("COPY").withString("from").withString("chown").withString("chmod").withBool("link")
        .withStrings("exclude").withBool("parents").parse(line.flags());
    SourcesAndDest sd = sourcesAndDest(node, "COPY");
    return new Copy(node.span(), line.original(), sd.paths(), sd.destination(), flags.string("from"),
        flags.string("chown"), flags.string("chmod"), flags.bool("link"), flags.strings("exclude"),
        flags.bool("parents"), sd.heredocs());
  }

  static Add add(Node node) {
    LineNode line = node.line();
    FlagSet flags = new FlagSet("ADD").withString("chown").withString("chmod").withBool("link").withStrings("exclude")
        .withString("checksum").withBool("keep-git-dir").withBool("unpack").parse(line.flags());
    SourcesAndDest sd = sourcesAndDest(node, "ADD");
    return new Add(node.span(), line.original(), sd.paths(), sd.destination(), flags.string("chown"),
        flags.string("chmod"), flags.bool("link"), flags.strings("exclude"), flags.string("checksum"),
        flags.bool("keep-git-dir"), flags.optionalBool("unpack"), sd.heredocs());
  }

  private static SourcesAndDest sourcesAndDest(Node node, String instruction) {
    List<String> args = node.line().args();
    if (args.size() < 2) {
      throw new ParseFailure(instruction
          + " requires at least two arguments, but only one was provided. Destination could not be determined.");
    }
    String destination = args.get(args.size() - 1);
    boolean heredocsPossible = !node.line().json();
    if (heredocsPossible && HeredocScanner.parse(destination) != null) {
      throw ParseFailure.near(instruction + " cannot accept a heredoc as a destination", destination);
    }
    Map<String, Node.RawHeredoc> bodies = new HashMap<>();
    for (Node.RawHeredoc raw : node.heredocs()) {
      bodies.put(raw.marker().name(), raw);
    }
    List<String> paths = new ArrayList<>();
    List<Heredoc> heredocs = new ArrayList<>();
    for (String source : args.subList(0, args.size() - 1)) {
      HeredocMarker marker = heredocsPossible ? HeredocScanner.parse(source) : null;
      Node.RawHeredoc body = marker == null ? null : bodies.get(marker.name());
      if (body == null) {
        paths.add(source);
      } else {
        heredocs.add(Checks.heredoc(new Node.RawHeredoc(marker, body.content())));
      }
    }
    return new SourcesAndDest(paths, heredocs, destination);
  }
}
