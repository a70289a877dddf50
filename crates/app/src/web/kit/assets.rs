//! Static assets (CSS, our own small JS) embedded in the binary and served under
//! `/assets/<hash>/…`: the hash of the build's assets is in the URL, so they are cached for a
//! year and a new build is fetched fresh.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::Embed;
use sha2::{Digest, Sha256};

#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// A short hash of every asset's content: the cache-busting part of asset URLs.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for name in Assets::iter() {
        if let Some(f) = Assets::get(&name) {
            h.update(name.as_bytes());
            h.update(f.data.as_ref());
        }
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
});

pub fn url(name: &str) -> String {
    format!("/assets/{}/{name}", *VERSION)
}

pub async fn serve(Path((_version, name)): Path<(String, String)>) -> Response {
    let Some(file) = Assets::get(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        file.data.into_owned(),
    )
        .into_response()
}
