package dev.jbuild.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jbuild.oci.JsonTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole process spec of a {@code jbuild exec}, for {@code runc exec --process FILE}. runc's flags only add to
 * the container's process ({@code --additional-gids} appends to the container's groups, so an exec as another user
 * kept root's group 0), so the process is built here from scratch, as docker does: the user's own ids and groups,
 * the container's environment with the exec's entries replacing or appended (a bare {@code KEY} removes it), and the
 * container's capabilities, rlimits and {@code noNewPrivileges} as its config gives them.
 */
final class ExecProcess {
  private ExecProcess() {}

  /**
   * The process for {@code args} in the container whose runtime config is {@code config} (its {@code config.json}).
   *
   * @param env {@code KEY=VALUE} entries replacing or added to the container's, or {@code KEY} alone to remove one
   * @param cwd the working directory, or null for the container's
   */
  static ObjectNode of(JsonNode config, ImageUsers.Ids ids, List<String> args, List<String> env, String cwd,
      boolean tty) throws ContainerException {
    JsonNode process = config.path("process");
    if (!process.isObject()) {
      throw new ContainerException("the container's config.json has no process");
    }
    ObjectNode p = ((ObjectNode) process).deepCopy();
    p.put("terminal", tty);
    ObjectNode user = p.putObject("user");
    user.put("uid", ids.uid());
    user.put("gid", ids.gid());
    ArrayNode gids = user.putArray("additionalGids");
    ids.additionalGids().forEach(gids::add);
    List<String> base = new ArrayList<>();
    process.path("env").forEach(e -> base.add(e.asText()));
    if (tty && base.stream().noneMatch(e -> e.startsWith("TERM="))) {
      base.add("TERM=xterm"); // docker's exec -t
    }
    ArrayNode envNode = p.putArray("env");
    DockerRules.replaceOrAppend(base, env).forEach(envNode::add);
    ArrayNode argsNode = p.putArray("args");
    args.forEach(argsNode::add);
    if (cwd != null) {
      p.put("cwd", cwd);
    }
    p.remove("consoleSize");
    return p;
  }

  /** Writes {@code process} to {@code file}, readable by its owner only (it holds the environment). */
  static void write(Path file, ObjectNode process) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(file, JsonTrees.writePretty(process), StandardOpenOption.TRUNCATE_EXISTING);
  }
}
