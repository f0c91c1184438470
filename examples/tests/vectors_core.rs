//! Every vector under `$PYRIN_VECTORS/core` (default the repository's `vectors/core`) passes.

#[test]
fn core_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("core");
}
