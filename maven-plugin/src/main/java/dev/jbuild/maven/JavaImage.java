package dev.jbuild.maven;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <java>} configuration of the {@code build} goal: an image for a Java application without a Dockerfile,
 * layered as Jib does (dependencies, snapshot dependencies, resources, classes on top of a base image that has
 * {@code java} on its PATH).
 *
 * <pre>{@code
 * <java>
 *   <from>jbuild-java-base:17</from>
 *   <mainClass>com.example.Main</mainClass>
 *   <jvmFlags><jvmFlag>-Xmx256m</jvmFlag></jvmFlags>
 * </java>
 * }</pre>
 */
public class JavaImage {
  /** The base image; it must provide {@code java} on its PATH. Required. */
  String from;

  /** The class whose {@code main} the entrypoint runs. Required. */
  String mainClass;

  /** Where the application goes in the image. */
  String appRoot = "/app";

  /** JVM options placed before {@code -cp} in the entrypoint. */
  List<String> jvmFlags = new ArrayList<>();

  /** Program arguments, as the image's CMD (overridable at run time). */
  List<String> args = new ArrayList<>();

  /** The user the application runs as (USER); the base image's when unset. */
  String user;

  public String getFrom() {
    return from;
  }

  public String getMainClass() {
    return mainClass;
  }

  public String getAppRoot() {
    return appRoot;
  }

  public List<String> getJvmFlags() {
    return jvmFlags;
  }

  public List<String> getArgs() {
    return args;
  }

  public String getUser() {
    return user;
  }
}
