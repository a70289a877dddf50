//! A multinomial naive Bayes text classifier over hashed word and word-pair features
//! (the "hashing trick"), trained from labelled texts in one pass.
//!
//! Why our own (about 150 lines) rather than `linfa-bayes`: linfa's `MultinomialNb` takes a
//! dense `ndarray` matrix of samples × features, so 100,000 tickets over a 2^18 hashed
//! vocabulary would be a 26-billion-cell matrix (or a feature space too small to separate
//! the labels), and it would bring `ndarray` and the linfa stack into the build for one
//! sum-and-log model. Tickets are short: sparse counts are what this model needs.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::desk::rules::fold;

/// Hashed feature space: 2^18 buckets.
const BUCKETS: u32 = 1 << 18;
/// Additive (Laplace) smoothing.
const ALPHA: f64 = 0.5;

fn fnv(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % BUCKETS
}

/// The features of a text: folded words of two or more characters, and adjacent pairs.
pub fn features(text: &str) -> Vec<u32> {
    let folded = fold(text);
    let words: Vec<&str> = folded
        .split_whitespace()
        .filter(|w| w.chars().count() > 1)
        .collect();
    let mut out = Vec::with_capacity(words.len() * 2);
    for (i, w) in words.iter().enumerate() {
        out.push(fnv(w));
        if let Some(next) = words.get(i + 1) {
            out.push(fnv(&format!("{w} {next}")));
        }
    }
    out
}

/// One label's learned weights: log-probabilities of the features seen with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Class {
    label: i64,
    log_prior: f64,
    /// Log-probability of a feature never seen with this label.
    unseen: f64,
    seen: HashMap<u32, f64>,
}

/// A trained classifier.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NaiveBayes {
    classes: Vec<Class>,
}

/// A prediction: the label and the model's probability for it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Guess {
    pub label: i64,
    /// 0 to 1.
    pub confidence: f64,
}

impl NaiveBayes {
    /// Trains on `(features, label)` pairs.
    pub fn train<'a>(samples: impl IntoIterator<Item = (&'a [u32], i64)>) -> Self {
        let mut docs: HashMap<i64, u64> = HashMap::new();
        let mut counts: HashMap<i64, HashMap<u32, u32>> = HashMap::new();
        let mut vocabulary: std::collections::HashSet<u32> = std::collections::HashSet::new();
        let mut total_docs = 0u64;
        for (f, label) in samples {
            total_docs += 1;
            *docs.entry(label).or_default() += 1;
            let c = counts.entry(label).or_default();
            for x in f {
                *c.entry(*x).or_default() += 1;
                vocabulary.insert(*x);
            }
        }
        let v = vocabulary.len().max(1) as f64;
        let mut classes: Vec<Class> = counts
            .into_iter()
            .map(|(label, c)| {
                let total: f64 = c.values().map(|n| f64::from(*n)).sum();
                let denom = (total + ALPHA * v).ln();
                Class {
                    label,
                    log_prior: (docs[&label] as f64 / total_docs as f64).ln(),
                    unseen: ALPHA.ln() - denom,
                    seen: c
                        .into_iter()
                        .map(|(k, n)| (k, (f64::from(n) + ALPHA).ln() - denom))
                        .collect(),
                }
            })
            .collect();
        classes.sort_by_key(|c| c.label);
        Self { classes }
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// The most likely label, with its posterior probability.
    pub fn predict(&self, f: &[u32]) -> Option<Guess> {
        let scores: Vec<(i64, f64)> = self
            .classes
            .iter()
            .map(|c| {
                let s = f
                    .iter()
                    .map(|x| c.seen.get(x).copied().unwrap_or(c.unseen))
                    .sum::<f64>();
                (c.label, c.log_prior + s)
            })
            .collect();
        let (label, best) = scores.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1))?;
        let norm: f64 = scores.iter().map(|(_, s)| (s - best).exp()).sum();
        Some(Guess {
            label,
            confidence: 1.0 / norm,
        })
    }
}

/// Top-1 accuracy of `model` on held-out samples (0 to 1).
pub fn accuracy<'a>(
    model: &NaiveBayes,
    held_out: impl IntoIterator<Item = (&'a [u32], i64)>,
) -> f64 {
    let (mut right, mut all) = (0u64, 0u64);
    for (f, label) in held_out {
        all += 1;
        if model.predict(f).is_some_and(|g| g.label == label) {
            right += 1;
        }
    }
    if all == 0 {
        0.0
    } else {
        right as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_labels_that_depend_on_the_text() {
        let topics: [(i64, &[&str]); 3] = [
            (1, &["impresora", "tóner", "atasco", "papel"]),
            (2, &["vpn", "red", "wifi", "conexión"]),
            (3, &["contraseña", "cuenta", "bloqueada", "acceso"]),
        ];
        let mut samples = Vec::new();
        for i in 0..300usize {
            let (label, words) = topics[i % 3];
            let text = format!(
                "hola {} no funciona {} desde ayer",
                words[i % 4],
                words[(i / 3) % 4]
            );
            samples.push((features(&text), label));
        }
        let m = NaiveBayes::train(samples.iter().map(|(f, l)| (f.as_slice(), *l)));
        let g = m
            .predict(&features("la IMPRESORA tiene un atasco"))
            .unwrap();
        assert_eq!(g.label, 1);
        assert!(g.confidence > 0.9, "{g:?}");
        assert_eq!(m.predict(&features("no conecta la VPN")).unwrap().label, 2);
    }
}
