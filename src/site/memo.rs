//! Artefacts made from declared inputs, kept while their inputs hold.
//!
//! Every step that `serve` may skip is a plain function from one inputs
//! value to one artefact: a body's HTML, the theme, a sidebar, a page. The
//! cache key is the hash of the inputs value, and the function is a `fn`
//! pointer, which can capture nothing: whatever it reads arrives in its
//! inputs, and whatever is in its inputs is in the key. So a step cannot
//! read something its key leaves out, and a new input is keyed the moment
//! it is added to the inputs struct. Inputs that are artefacts themselves
//! (the theme, a rendered body) enter as [`Keyed`] values, whose own key,
//! derived the same way, stands for them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use xxhash_rust::xxh3::Xxh3;

/// A value with the key of the inputs it was made from: hashing it hashes
/// only that key.
#[derive(Debug, Clone)]
pub struct Keyed<T> {
    pub key: u64,
    pub value: T,
}

impl<T> Hash for Keyed<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.key);
    }
}

/// Hashes a serialisable view (template inputs are serde views) through
/// its serialisation, so every field it serialises is in the key.
pub struct Json<T: serde::Serialize>(pub T);

impl<T: serde::Serialize> Hash for Json<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let _ = serde_json::to_writer(crate::model::HashWriter(state), &self.0);
    }
}

/// The key of an inputs value.
pub fn key_of<I: Hash + ?Sized>(inputs: &I) -> u64 {
    let mut hasher = Xxh3::new();
    inputs.hash(&mut hasher);
    hasher.finish()
}

/// Artefacts of one kind by the key of their inputs.
pub struct Memo<V> {
    kept: HashMap<u64, V>,
}

impl<V> Default for Memo<V> {
    fn default() -> Self {
        Memo { kept: HashMap::new() }
    }
}

impl<V: Clone> Memo<V> {
    /// What `make` makes of `inputs`: the artefact kept from an earlier
    /// build when the inputs hash the same, else made now. Failures are
    /// not kept, so they are reported again until mended.
    pub fn get<I: Hash, E>(&self, inputs: &I, make: fn(&I) -> Result<V, E>) -> (u64, Result<V, E>) {
        let key = key_of(inputs);
        match self.kept.get(&key) {
            Some(hit) => (key, Ok(hit.clone())),
            None => (key, make(inputs)),
        }
    }

    /// The artefact kept under `key`, for a shortcut whose key summarises
    /// the inputs of the artefact's own step (see `Shape` in `site`).
    pub fn kept(&self, key: u64) -> Option<V> {
        self.kept.get(&key).cloned()
    }

    /// Keeps this build's artefacts for the next build and forgets the rest,
    /// so the memo holds one site's worth.
    pub fn keep(&mut self, made: impl IntoIterator<Item = (u64, V)>) {
        self.kept = made.into_iter().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Hash)]
    struct Inputs {
        text: &'static str,
        times: usize,
    }

    fn repeat(i: &Inputs) -> Result<String, ()> {
        Ok(i.text.repeat(i.times))
    }

    #[test]
    fn keeps_what_equal_inputs_made_and_remakes_on_any_change() {
        let mut memo: Memo<String> = Memo::default();
        let (k1, made) = memo.get(&Inputs { text: "ab", times: 2 }, repeat);
        assert_eq!(made.unwrap(), "abab");
        memo.keep([(k1, "kept".to_string())]);
        assert_eq!(memo.get(&Inputs { text: "ab", times: 2 }, repeat).1.unwrap(), "kept");
        assert_eq!(memo.get(&Inputs { text: "ab", times: 3 }, repeat).1.unwrap(), "ababab");
        assert_eq!(memo.get(&Inputs { text: "b", times: 2 }, repeat).1.unwrap(), "bb");
    }

    #[test]
    fn a_keyed_value_hashes_as_its_key() {
        let a = Keyed { key: 7, value: "one" };
        let b = Keyed { key: 7, value: "two" };
        assert_eq!(key_of(&a), key_of(&b));
        assert_ne!(key_of(&a), key_of(&Keyed { key: 8, value: "one" }));
        assert_ne!(key_of(&Json(serde_json::json!({"a": 1}))), key_of(&Json(serde_json::json!({"a": 2}))));
    }
}
