//! Every vector under `$PYRIN_VECTORS/pow` (default `../shared/vectors/pow`) passes.

#[test]
fn pow_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("pow");
}
