//! Every vector under `$PYRIN_VECTORS/pow` (default the repository's `vectors/pow`) passes.

#[test]
fn pow_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("pow");
}
