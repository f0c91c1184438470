//! Every vector under `$PYRIN_VECTORS/tx` (default the repository's `vectors/tx`) passes.

#[test]
fn tx_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("tx");
}
