//! Every vector under `$PYRIN_VECTORS/ghostdag` (default the repository's `vectors/ghostdag`) passes.

#[test]
fn ghostdag_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("ghostdag");
}
