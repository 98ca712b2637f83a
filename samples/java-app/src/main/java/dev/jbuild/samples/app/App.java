package dev.jbuild.samples.app;

/** The sample application: one line that proves it ran, and where. */
public final class App {
  private App() {}

  public static void main(String[] args) {
    String who = args.length > 0 ? args[0] : "world";
    System.out.println("hello " + who + " from java-app on Java " + Runtime.version().feature());
  }
}
