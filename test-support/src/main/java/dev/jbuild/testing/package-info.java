/**
 * Fixtures every module's tests share: {@link dev.jbuild.testing.ImageValidator} cross-checks every
 * redundant field of a stored image (in the spirit of go-containerregistry's {@code validate}), and {@link
 * dev.jbuild.testing.BaseImages} makes small base images from busybox-static without Docker Hub. The real
 * registry extension lives in {@code dev.jbuild.testing.registry}.
 */
package dev.jbuild.testing;
