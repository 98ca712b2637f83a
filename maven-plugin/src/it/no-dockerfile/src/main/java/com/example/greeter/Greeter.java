package com.example.greeter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Greets from a resource, with a class from a dependency, so every layer takes part. */
public final class Greeter {
  private Greeter() {}

  public static void main(String[] args) throws IOException {
    String greeting;
    try (InputStream in = Greeter.class.getResourceAsStream("/greeting.txt")) {
      greeting = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    String name = args.length > 0 ? args[0] : "nobody";
    System.out.println(greeting + ", " + name + " (picocli " + CommandLine.VERSION + ")");
  }
}
