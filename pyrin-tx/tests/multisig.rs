//! Multisig spends as wallets make them: for 1 ≤ m ≤ n ≤ 5, Schnorr and ECDSA, every
//! sighash type, m cosigners chosen at random sign separately and in any order, the spend
//! is assembled and the engine accepts it. Then the ways a spend goes wrong, each failing
//! with the error the reference's engine (`TxScriptEngine`) gives for it.
//!
//! How the engine runs a spend (the reference's and ours alike): the signature script
//! pushes the signatures and the redeem script; the P2SH script public key checks the
//! redeem script's BLAKE3 hash (`OP_EQUAL` leaves false on a mismatch, and the engine
//! fails with `EvalFalse` before running the redeem script); the redeem script's
//! `OP_CHECKMULTISIG` pops n, the n keys, m, then m signatures (`InvalidStackOperation`
//! when fewer are there), matches each signature to the next key it verifies under, keys
//! consumed in order (a sighash type byte that is none of the six is `InvalidSigHashType`
//! as it is reached), and fails with `NullFail` when a signature finds no key while some
//! signature is non-empty (pushing false when all are empty); it pushes true, and an item
//! left under it is `CleanStack`.

use proptest::prelude::*;
use proptest::sample::Index;
use pyrin_core::{
    Amount, ScriptPublicKey, Transaction, TransactionId, TransactionInput, TransactionOutpoint, TransactionOutput,
};
use pyrin_tx::engine::{Engine, ScriptError};
use pyrin_tx::multisig::{MultisigScript, PartiallySignedInput, Scheme, SIGNATURE_LEN};
use pyrin_tx::script::pay_to_address;
use pyrin_tx::script_builder::ScriptBuilder;
use pyrin_tx::sighash::{SigHashType, SighashCache};
use pyrin_tx::sign::{ecdsa_sign_digest, schnorr_sign_digest, PrivateKey, Randomness};
use pyrin_tx::UtxoEntry;

type Signature = [u8; SIGNATURE_LEN];

/// n cosigners' keys and one outsider's (the last), from a seed.
fn keys(seed: [u8; 32], n: usize) -> Option<Vec<PrivateKey>> {
    (0..=n)
        .map(|i| {
            let mut secret = seed;
            secret[31] = i as u8 + 1;
            PrivateKey::from_bytes(secret).ok()
        })
        .collect()
}

fn multisig_of(scheme: Scheme, m: usize, keys: &[PrivateKey]) -> MultisigScript {
    match scheme {
        Scheme::Schnorr => {
            MultisigScript::schnorr(m, &keys.iter().map(PrivateKey::schnorr_public_key).collect::<Vec<_>>())
        }
        Scheme::Ecdsa => MultisigScript::ecdsa(m, &keys.iter().map(PrivateKey::ecdsa_public_key).collect::<Vec<_>>()),
    }
    .unwrap()
}

fn public_key(scheme: Scheme, key: &PrivateKey) -> Vec<u8> {
    match scheme {
        Scheme::Schnorr => key.schnorr_public_key().to_vec(),
        Scheme::Ecdsa => key.ecdsa_public_key().to_vec(),
    }
}

/// A spend of two inputs and `outputs` outputs whose input `index` spends `multisig`'s
/// output (the other input a P2PK one), built with the multisig's sig-op count.
fn spend(multisig: &MultisigScript, index: usize, outputs: usize) -> (Transaction, Vec<UtxoEntry>) {
    let entry = |script_public_key: ScriptPublicKey, amount| UtxoEntry {
        amount: Amount::from_leor(amount),
        script_public_key,
        block_daa_score: 500,
        is_coinbase: false,
    };
    let payee = pay_to_address(
        &PrivateKey::from_bytes([0x77; 32]).unwrap().schnorr_address(pyrin_tx::address::Prefix::Mainnet),
    );
    let mut inputs =
        vec![TransactionInput::spending(TransactionOutpoint::new(TransactionId::from_bytes([0xaa; 32]), 3))];
    let mut entries = vec![entry(payee.clone(), 7_000)];
    let funding = TransactionOutpoint::new(TransactionId::from_bytes([0xbb; 32]), 1);
    inputs.insert(index, multisig.input_spending(funding));
    entries.insert(index, entry(multisig.script_public_key().clone(), 1_000_000));
    let outputs =
        (0..outputs).map(|i| TransactionOutput::new(Amount::from_leor(10_000 + i as u64), payee.clone())).collect();
    (Transaction { inputs, outputs, ..Transaction::default() }, entries)
}

/// Each cosigner signs on its own, knowing only the transaction, the entries and its key.
fn cosign(
    multisig: &MultisigScript,
    tx: &Transaction,
    entries: &[UtxoEntry],
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
    aux: [u8; 32],
) -> Signature {
    let cache = SighashCache::new(tx, entries).unwrap();
    let mut own = PartiallySignedInput::new(multisig.clone(), index);
    own.sign(&cache, key, ty, Randomness::Fixed(aux)).unwrap()
}

/// A signature made without [`PartiallySignedInput`] (which refuses keys outside the
/// script): the outsider's.
fn raw_signature(
    scheme: Scheme,
    tx: &Transaction,
    entries: &[UtxoEntry],
    index: usize,
    key: &PrivateKey,
    ty: SigHashType,
) -> Signature {
    let cache = SighashCache::new(tx, entries).unwrap();
    let body = match scheme {
        Scheme::Schnorr => {
            let hash = cache.schnorr_hash(index, ty).unwrap();
            schnorr_sign_digest(key, hash.as_bytes(), Randomness::Fixed([0; 32])).unwrap()
        }
        Scheme::Ecdsa => {
            let hash = cache.ecdsa_hash(index, ty).unwrap();
            ecdsa_sign_digest(key, hash.as_bytes(), Randomness::Fixed([0; 32])).unwrap()
        }
    };
    let mut signature = [0; SIGNATURE_LEN];
    signature[..64].copy_from_slice(&body);
    signature[64] = ty.to_u8();
    signature
}

/// Runs the engine on input `index` with a signature script of `signatures` pushed in
/// this order, then `redeem_script`.
fn run<S: AsRef<[u8]>>(
    tx: &Transaction,
    entries: &[UtxoEntry],
    index: usize,
    signatures: &[S],
    redeem_script: &[u8],
) -> Result<(), ScriptError> {
    let mut builder = ScriptBuilder::new();
    for signature in signatures {
        builder.add_data(signature.as_ref()).unwrap();
    }
    builder.add_data(redeem_script).unwrap();
    let mut tx = tx.clone();
    tx.inputs[index].signature_script = builder.into_script();
    let cache = SighashCache::new(&tx, entries).unwrap();
    Engine::new(&cache, index)?.execute()
}

/// Signs with the cosigners `signers` (positions, in the order their signatures arrive),
/// assembles through a [`PartiallySignedInput`], and returns the engine's verdict on the
/// finalized transaction.
#[allow(clippy::too_many_arguments)]
fn sign_and_finalize(
    scheme: Scheme,
    multisig: &MultisigScript,
    keys: &[PrivateKey],
    signers: &[usize],
    ty: SigHashType,
    index: usize,
    outputs: usize,
    aux: [u8; 32],
) -> Result<(), TestCaseError> {
    let (mut tx, entries) = spend(multisig, index, outputs);
    let arriving: Vec<(usize, Signature)> =
        signers.iter().map(|&p| (p, cosign(multisig, &tx, &entries, index, &keys[p], ty, aux))).collect();
    let mut input = PartiallySignedInput::new(multisig.clone(), index);
    {
        let cache = SighashCache::new(&tx, &entries).unwrap();
        for (position, signature) in &arriving {
            prop_assert_eq!(
                input.add_signature(&cache, &public_key(scheme, &keys[*position]), signature),
                Ok(*position)
            );
        }
    }
    prop_assert!(input.is_complete());
    input.finalize(&mut tx, &entries).map_err(|e| TestCaseError::fail(format!("finalize: {e}")))?;
    // The signatures in key order, then the redeem script.
    let mut in_order = arriving.clone();
    in_order.sort_by_key(|(position, _)| *position);
    let mut expected = ScriptBuilder::new();
    for (_, signature) in &in_order {
        expected.add_data(signature).unwrap();
    }
    expected.add_data(multisig.redeem_script()).unwrap();
    prop_assert_eq!(&tx.inputs[index].signature_script, expected.script());
    let cache = SighashCache::new(&tx, &entries).unwrap();
    prop_assert_eq!(Engine::new(&cache, index).and_then(Engine::execute), Ok(()));
    Ok(())
}

/// Every (m, n, scheme, sighash type) once: the last m cosigners sign, in reverse order.
#[test]
fn every_m_of_n_and_sighash_type_is_accepted() {
    let keys = keys([0x3c; 32], 5).unwrap();
    for scheme in [Scheme::Schnorr, Scheme::Ecdsa] {
        for n in 1..=5 {
            for m in 1..=n {
                let multisig = multisig_of(scheme, m, &keys[..n]);
                for (t, ty) in SigHashType::ALL_TYPES.into_iter().enumerate() {
                    let signers: Vec<usize> = (n - m..n).rev().collect();
                    let verdict =
                        sign_and_finalize(scheme, &multisig, &keys, &signers, ty, t % 2, 1 + t % 3, [t as u8; 32]);
                    if let Err(e) = verdict {
                        panic!("{scheme:?} {m}-of-{n} {ty:?}: {e}");
                    }
                }
            }
        }
    }
}

/// A spend: the scheme, n, m, who signs (the first m of a shuffle, in the order they
/// arrive), the sighash type, the keys' seed, which input is the multisig's, how many
/// outputs there are, and the auxiliary randomness.
#[derive(Clone, Debug)]
struct Case {
    scheme: Scheme,
    n: usize,
    m: usize,
    signers: Vec<usize>,
    ty: SigHashType,
    seed: [u8; 32],
    index: usize,
    outputs: usize,
    aux: [u8; 32],
}

fn case() -> impl Strategy<Value = Case> {
    (any::<bool>(), 1usize..=5)
        .prop_flat_map(|(ecdsa, n)| {
            (
                Just(if ecdsa { Scheme::Ecdsa } else { Scheme::Schnorr }),
                Just(n),
                1..=n,
                Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
                prop::sample::select(SigHashType::ALL_TYPES.to_vec()),
                any::<[u8; 32]>(),
                0usize..2,
                1usize..=3,
                any::<[u8; 32]>(),
            )
        })
        .prop_map(|(scheme, n, m, order, ty, seed, index, outputs, aux)| Case {
            scheme,
            n,
            m,
            signers: order[..m].to_vec(),
            ty,
            seed,
            index,
            outputs,
            aux,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// m cosigners chosen at random sign separately; their signatures arrive in any order;
    /// the assembled spend is accepted.
    #[test]
    fn random_cosigners_in_any_order_are_accepted(case in case()) {
        let Some(keys) = keys(case.seed, case.n) else { return Err(TestCaseError::reject("no key")) };
        let multisig = multisig_of(case.scheme, case.m, &keys[..case.n]);
        sign_and_finalize(case.scheme, &multisig, &keys, &case.signers, case.ty, case.index, case.outputs, case.aux)?;
    }

    /// Each way a spend goes wrong fails with the reference's error.
    #[test]
    fn broken_spends_fail_as_the_reference_fails_them(
        case in case(),
        pick in any::<Index>(),
        other in any::<Index>(),
        bit in 0usize..512,
        bad_type_byte in any::<u8>().prop_filter("not a sighash type", |b| SigHashType::from_u8(*b).is_err()),
    ) {
        let Some(keys) = keys(case.seed, case.n) else { return Err(TestCaseError::reject("no key")) };
        let (n, m, index) = (case.n, case.m, case.index);
        let multisig = multisig_of(case.scheme, m, &keys[..n]);
        let (tx, entries) = spend(&multisig, index, case.outputs);
        // A signature from every cosigner, and one from the outsider (keys[n]).
        let mut all: Vec<Signature> =
            keys[..n].iter().map(|k| cosign(&multisig, &tx, &entries, index, k, case.ty, case.aux)).collect();
        all.push(raw_signature(case.scheme, &tx, &entries, index, &keys[n], case.ty));
        let mut positions = case.signers.clone();
        positions.sort_unstable();
        let signatures: Vec<Signature> = positions.iter().map(|&p| all[p]).collect();
        let redeem = multisig.redeem_script();
        let check = |signatures: &[Signature], redeem: &[u8]| run(&tx, &entries, index, signatures, redeem);
        prop_assert_eq!(check(&signatures, redeem), Ok(()));

        // A missing signature: OP_CHECKMULTISIG wants m signatures under m, n and the keys,
        // and finds m - 1 items (reference: `TxScriptError::InvalidStackOperation(m, m - 1)`).
        let mut missing = signatures.clone();
        missing.remove(pick.index(m));
        prop_assert_eq!(check(&missing, redeem), Err(ScriptError::InvalidStackOperation { needed: m, had: m - 1 }));

        // An extra signature: another cosigner's in key order (or, with every cosigner
        // signing, the first one's twice). OP_CHECKMULTISIG takes the top m, which match
        // their keys in order, and pushes true over the lowest: one item too many
        // (reference: `TxScriptError::CleanStack(1)`).
        let mut extra_positions = positions.clone();
        let unused: Vec<usize> = (0..n).filter(|p| !positions.contains(p)).collect();
        if unused.is_empty() {
            extra_positions.insert(0, positions[0]);
        } else {
            extra_positions.push(unused[other.index(unused.len())]);
            extra_positions.sort_unstable();
        }
        let extra: Vec<Signature> = extra_positions.iter().map(|&p| all[p]).collect();
        prop_assert_eq!(check(&extra, redeem), Err(ScriptError::CleanStack(1)));

        // Reordered signatures: a signature after one of a later key finds no key left to
        // verify under, and the signatures are not empty (reference: `TxScriptError::NullFail`).
        if m >= 2 {
            let mut reordered = signatures.clone();
            let i = pick.index(m);
            let j = (i + 1 + other.index(m - 1)) % m;
            reordered.swap(i, j);
            prop_assert_eq!(check(&reordered, redeem), Err(ScriptError::NullFail));
        }

        // A corrupted signature (one bit of its 64 bytes): it verifies under no key
        // (reference: `TxScriptError::NullFail`; a flipped bit cannot push an ECDSA r or s
        // past the group order, where the reference would refuse to parse it, but with a
        // chance of about 2^-127).
        let mut corrupted = signatures.clone();
        corrupted[pick.index(m)][bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(check(&corrupted, redeem), Err(ScriptError::NullFail));

        // An empty push in place of a signature: it fails its match. With another, non-empty
        // signature there, that is NullFail; with none (1-of-n), OP_CHECKMULTISIG pushes
        // false and the script ends false (reference: `TxScriptError::NullFail`,
        // `TxScriptError::EvalFalse`).
        let mut emptied: Vec<Vec<u8>> = signatures.iter().map(|s| s.to_vec()).collect();
        emptied[pick.index(m)].clear();
        let want = if m >= 2 { ScriptError::NullFail } else { ScriptError::EvalFalse };
        prop_assert_eq!(run(&tx, &entries, index, &emptied, redeem), Err(want));

        // A sighash type byte that is none of the six: refused as the engine reaches it,
        // the signatures before it having matched their keys (reference:
        // `TxScriptError::InvalidSigHashType(byte)`).
        let mut bad_type = signatures.clone();
        bad_type[pick.index(m)][64] = bad_type_byte;
        prop_assert_eq!(check(&bad_type, redeem), Err(ScriptError::SigHashType(bad_type_byte)));

        // A signature by a key that is not in the script, in place of a cosigner's: it
        // verifies under no key (reference: `TxScriptError::NullFail`).
        let mut stranger = signatures.clone();
        stranger[pick.index(m)] = all[n];
        prop_assert_eq!(check(&stranger, redeem), Err(ScriptError::NullFail));

        // Valid signatures with a redeem script whose hash the output does not commit to
        // (one key swapped for the outsider's): the P2SH check ends false (reference:
        // `TxScriptError::EvalFalse`).
        let mut swapped_keys: Vec<PrivateKey> = keys[..n].to_vec();
        swapped_keys[other.index(n)] = keys[n].clone();
        let other_redeem = multisig_of(case.scheme, m, &swapped_keys);
        prop_assert_eq!(check(&signatures, other_redeem.redeem_script()), Err(ScriptError::EvalFalse));
    }
}

/// An ECDSA signature whose r is not below the group order does not parse: the reference's
/// engine fails the spend with `TxScriptError::InvalidSignature` as the multisig reaches it,
/// before any NULLFAIL verdict.
#[test]
fn an_unparseable_ecdsa_signature_fails_the_multisig() {
    let keys = keys([0x5e; 32], 3).unwrap();
    let multisig = multisig_of(Scheme::Ecdsa, 2, &keys[..3]);
    let (tx, entries) = spend(&multisig, 0, 1);
    let first = cosign(&multisig, &tx, &entries, 0, &keys[0], SigHashType::ALL, [0; 32]);
    let mut overflowing = cosign(&multisig, &tx, &entries, 0, &keys[2], SigHashType::ALL, [0; 32]);
    overflowing[..32].fill(0xff);
    let verdict = run(&tx, &entries, 0, &[first, overflowing], multisig.redeem_script());
    assert_eq!(verdict, Err(ScriptError::InvalidSignature));
}
