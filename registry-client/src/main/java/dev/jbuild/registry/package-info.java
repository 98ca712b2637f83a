/**
 * The OCI distribution protocol on Google HTTP Client: {@link dev.jbuild.registry.RegistryClient} pulls and
 * pushes blobs and manifests for one repository, with token/Basic auth, retries, manual redirects and digest
 * verification over the raw bytes.
 *
 * <p>Public types are the client, its settings, credentials, events and the {@link
 * dev.jbuild.registry.RegistryException} family. Everything else here is package-private, following
 * jib-core: one small class per endpoint ({@code BlobChecker}, {@code ManifestPuller}, ...) run through one
 * {@code RegistryCaller} that owns HTTP, auth, redirects, retries and error mapping.
 */
package dev.jbuild.registry;
