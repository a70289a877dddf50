//! Path parameters of pages. A value that does not parse (`/console/tickets/abc`) names
//! nothing that exists, so the reader gets the HTML "not found" page, as for an unknown id;
//! the API's `crate::extract::Path` answers the same in JSON.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::WebError;

/// A page's path parameters (see the module).
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(WebError::from)
    }
}
