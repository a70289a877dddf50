//! The error answers every operation can give, added to the OpenAPI document in one place
//! so the document describes the server exactly (schemathesis checks that every status it
//! receives is documented): 400 for a malformed body, query or header (including text that
//! is not UTF-8), 401/403 on authenticated operations, 404 where the path names a record,
//! 409/413/415/422 where a body is taken (409 also where a record is named), 422 where the query is validated (`limit` 1–200),
//! 405 on every path (another method; the JSON shape and an `Allow` header).

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

pub struct ErrorResponses;

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            )
            .build(),
    )
}

fn add(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| error(description));
}

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let path_level_ids = item.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path))
            });
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let params = op.parameters.as_deref().unwrap_or(&[]);
                let in_path = path_level_ids
                    || params
                        .iter()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path));
                let in_query = params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in != ParameterIn::Path));
                // `security(())` (sign-in) is one empty requirement: no credentials needed.
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
                add(
                    op,
                    "400",
                    "Malformed request: body, query, header or path (`bad_request`, `invalid_json`, `invalid_encoding`)",
                );
                if !public {
                    add(op, "401", "No or dead credentials (`unauthenticated`)");
                    add(
                        op,
                        "403",
                        "Missing permission, or a cookie request without its CSRF token",
                    );
                }
                if in_path {
                    add(
                        op,
                        "404",
                        "No such record, or outside the caller's data scope",
                    );
                }
                if op.request_body.is_some() || in_path {
                    add(
                        op,
                        "409",
                        "Conflict: a duplicate, or a state that forbids the change",
                    );
                }
                if op.request_body.is_some() {
                    add(op, "413", "Body over the limit (`payload_too_large`)");
                    add(op, "415", "Body is not of the documented content type");
                    add(
                        op,
                        "422",
                        "A value is refused (`validation_failed`, `field` names it)",
                    );
                }
                if in_query {
                    add(
                        op,
                        "422",
                        "A query value is refused (`validation_failed`, `field` names it)",
                    );
                }
            }
        }
    }
}
