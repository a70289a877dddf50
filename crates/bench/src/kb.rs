//! The knowledge base for the search scenarios (issue 12): the generator's 10,000 article
//! titles posted through the API as published FAQs, SOPs and known errors, and the search
//! index's build time (`ventanilla reindex`) and size.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::load::{agent, call};
use crate::rng::Rng;

/// Posts every title of `knowledge-titles.jsonl` in `dir` as a published article, from
/// `threads` clients; returns the articles written and the seconds taken.
pub fn load_articles(
    base: &str,
    token: &str,
    dir: &Path,
    threads: usize,
) -> anyhow::Result<(usize, f64)> {
    let text = std::fs::read_to_string(dir.join("knowledge-titles.jsonl"))
        .context("knowledge-titles.jsonl (run `bench generate` again)")?;
    let titles: Vec<serde_json::Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    let chunk = titles.len().div_ceil(threads.max(1)).max(1);
    let results: Vec<anyhow::Result<usize>> = std::thread::scope(|s| {
        let hs: Vec<_> = titles
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| s.spawn(move || post_all(base, token, part, i as u64)))
            .collect();
        hs.into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("article thread")))
            })
            .collect()
    });
    let mut written = 0;
    for r in results {
        written += r?;
    }
    Ok((written, started.elapsed().as_secs_f64()))
}

fn post_all(
    base: &str,
    token: &str,
    titles: &[serde_json::Value],
    seed: u64,
) -> anyhow::Result<usize> {
    let http = agent();
    let mut rng = Rng::new(seed.wrapping_add(0x6b62));
    for t in titles {
        let body = article(&mut rng, t);
        call(
            &http,
            "POST",
            &format!("{base}/api/v1/articles"),
            token,
            Some(body),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
    }
    Ok(titles.len())
}

/// A published article for a generated title: six in ten FAQs, three SOPs with steps, one
/// known error with symptom, cause and workaround; a body of a few sentences of the desk's
/// own vocabulary, so its words are those tickets use.
fn article(rng: &mut Rng, t: &serde_json::Value) -> serde_json::Value {
    let spanish = t["language"] == "es";
    let sentences = if spanish {
        crate::vocab::DESCRIPTIONS_ES
    } else {
        crate::vocab::DESCRIPTIONS_EN
    };
    let body: Vec<String> = (0..3)
        .map(|_| {
            let template = *rng.pick(sentences);
            crate::generate::fill(rng, template)
        })
        .collect();
    let mut a = json!({
        "title": t["title"],
        "language": t["language"],
        "status": "published",
        "body": body.join("\n\n"),
        "tags": [t["category"]],
    });
    match rng.below(10) {
        0..=5 => a["kind"] = json!("faq"),
        6..=8 => {
            a["kind"] = json!("sop");
            a["steps"] = json!(body);
        }
        _ => {
            a["kind"] = json!("known_error");
            a["symptom"] = json!(body[0]);
            a["cause"] = json!(body[1]);
            a["workaround"] = json!(body[2]);
        }
    }
    a
}
