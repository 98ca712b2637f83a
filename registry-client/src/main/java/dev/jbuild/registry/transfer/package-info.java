/**
 * Image transfers between a registry and the local store: {@link
 * dev.jbuild.registry.transfer.ImageTransfer} pulls verified images in and pushes stored images out.
 */
package dev.jbuild.registry.transfer;
