package dev.jbuild.runtime;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A container kept in the store ({@code STORE/containers/ID/container.json}): what it runs and where it stands.
 *
 * @param id 64 hex digits, also runc's container id
 * @param name the unique name ({@code --name} or generated)
 * @param image the image as the user named it
 * @param imageDigest the manifest (or index) digest the container was made from
 * @param imageMediaType that manifest's (or index's) media type
 * @param imageSize its size in bytes
 * @param created when it was created (ISO-8601)
 * @param options what it runs
 * @param state where it stands
 */
public record ContainerRecord(
    String id, String name, String image, String imageDigest, String imageMediaType, long imageSize, String created,
    RunOptions options, State state) {

  public ContainerRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(state, "state");
  }

  /** The container's life stage. */
  public enum Status { CREATED, RUNNING, EXITED }

  /**
   * Where a container stands.
   *
   * @param status created, running or exited
   * @param exitCode the last exit code (docker's: 125, 126, 127 when the process could not start); -1 when unknown
   * @param monitorPid the host process that waits for the container (the attached jbuild, or the detached
   *     monitor shell); 0 when none
   * @param monitorStart that process's start time in clock ticks (guards against pid reuse)
   * @param startedAt when it last started (ISO-8601), or null
   * @param finishedAt when it last exited (ISO-8601), or null
   * @param mountPoints the mount points runc created in the writable layer (left out of {@code commit} when empty)
   * @param mountParents uid:gid:mode of those mount points' existing parents before runc touched them
   * @param error why the last start failed, or null
   */
  public record State(
      Status status, int exitCode, long monitorPid, long monitorStart, String startedAt, String finishedAt,
      List<String> mountPoints, Map<String, String> mountParents, String error) {
    public State {
      Objects.requireNonNull(status, "status");
      mountPoints = List.copyOf(new TreeSet<>(mountPoints == null ? List.of() : mountPoints));
      mountParents = Map.copyOf(new TreeMap<>(mountParents == null ? Map.of() : mountParents));
    }

    /** A container that never ran. */
    public static State created() {
      return new State(Status.CREATED, 0, 0, 0, null, null, List.of(), Map.of(), null);
    }

    public State running(long pid, long start, String at) {
      return new State(Status.RUNNING, 0, pid, start, at, null, mountPoints, mountParents, null);
    }

    public State exited(int code, String at, String why) {
      return new State(Status.EXITED, code, 0, 0, startedAt, at, mountPoints, mountParents, why);
    }

    public State withMountPoints(List<String> points, Map<String, String> parents) {
      return new State(status, exitCode, monitorPid, monitorStart, startedAt, finishedAt, points, parents, error);
    }
  }

  public ContainerRecord withState(State newState) {
    return new ContainerRecord(id, name, image, imageDigest, imageMediaType, imageSize, created, options, newState);
  }

  /** The image's descriptor, as index.json listed it when the container was created. */
  public dev.jbuild.oci.Descriptor imageDescriptor() throws ContainerException {
    try {
      return new dev.jbuild.oci.Descriptor(imageMediaType, dev.jbuild.oci.Digest.parse(imageDigest), imageSize);
    } catch (dev.jbuild.oci.OciException | RuntimeException e) {
      throw new ContainerException("container " + name + " names an invalid image digest " + imageDigest, e);
    }
  }

  /** The first 12 hex digits, as docker shows ids. */
  public String shortId() {
    return id.substring(0, 12);
  }
}
