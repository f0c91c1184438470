//! Every vector under `$PYRIN_VECTORS/consensus` (default the repository's `vectors/consensus`) passes.

#[test]
fn consensus_vectors_pass() {
    pyrin_examples::vectors::assert_dir_passes("consensus");
}
