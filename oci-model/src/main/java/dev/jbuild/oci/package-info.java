/**
 * The OCI vocabulary every other jbuild module speaks: {@link dev.jbuild.oci.Digest}, {@link
 * dev.jbuild.oci.Descriptor}, {@link dev.jbuild.oci.MediaType}, {@link dev.jbuild.oci.ImageReference},
 * {@link dev.jbuild.oci.Platform}, and the manifest, index and config records.
 *
 * <p>The records are immutable and carry no JSON annotations; {@link dev.jbuild.oci.OciJson} translates
 * between them and the exact bytes that get hashed. Nothing in this package depends on any other jbuild
 * module.
 */
package dev.jbuild.oci;
