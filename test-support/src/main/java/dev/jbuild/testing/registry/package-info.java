/**
 * A JUnit 5 extension that runs a real {@code docker-registry} (distribution 2.8) on a free loopback port, so
 * integration tests exercise the protocol exactly as users do, with anonymous or htpasswd Basic auth.
 */
package dev.jbuild.testing.registry;
