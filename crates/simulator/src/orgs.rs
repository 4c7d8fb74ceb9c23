//! Several organizations behind one simulator, as behind api.openai.com: the admin key a request
//! carries chooses the organization that answers (its own projects, keys, usage and bill, from
//! its own [`SimControl`]: clock, faults and counters), and an answer to a known admin key names
//! its organization in the `openai-organization` header, as OpenAI's answers do. The `/_sim`
//! control plane steers the first organization.

use super::control::SimControl;
use axum::extract::{FromRef, FromRequestParts, Request, State};
use axum::http::{HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The organizations served, the first one by default (an unknown key is refused by its gate).
#[derive(Clone)]
pub(crate) struct Orgs(Arc<[SimControl]>);

impl Orgs {
    pub fn new(controls: Vec<SimControl>) -> Orgs {
        assert!(
            !controls.is_empty(),
            "a simulator serves one organization at least"
        );
        Orgs(controls.into())
    }

    /// The organization whose admin key is `token`, if any.
    fn of_token(&self, token: &str) -> Option<&SimControl> {
        self.0.iter().find(|c| c.admin_key() == token)
    }

    fn of_headers(&self, headers: &axum::http::HeaderMap) -> Option<&SimControl> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)?;
        self.of_token(token)
    }
}

impl FromRef<Orgs> for SimControl {
    fn from_ref(orgs: &Orgs) -> SimControl {
        orgs.0[0].clone()
    }
}

/// The organization a `/v1` request is answered by.
pub(crate) struct Org(pub SimControl);

impl FromRequestParts<Orgs> for Org {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, orgs: &Orgs) -> Result<Self, Self::Rejection> {
        Ok(Org(orgs
            .of_headers(&parts.headers)
            .unwrap_or(&orgs.0[0])
            .clone()))
    }
}

/// Adds `openai-organization: <id>` to every answer to a known admin key.
pub(crate) async fn organization_header(
    State(orgs): State<Orgs>,
    request: Request,
    next: Next,
) -> Response {
    let org = orgs
        .of_headers(request.headers())
        .and_then(|c| HeaderValue::from_str(&c.shared.config.organization).ok());
    let mut response = next.run(request).await;
    if let Some(org) = org {
        response.headers_mut().insert("openai-organization", org);
    }
    response
}
