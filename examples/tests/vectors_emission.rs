//! Every vector under `$PYRIN_VECTORS/emission` (default the repository's `vectors/emission`) passes.

#[test]
fn emission_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("emission");
}
