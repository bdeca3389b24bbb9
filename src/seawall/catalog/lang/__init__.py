"""Language-ecosystem catalogers: lockfiles, manifests and metadata embedded in binaries."""
