//! Who is calling: From, or P-Asserted-Identity when a trusted server set it
//! (RFC 3325 §9.1).

use sip::{NameAddr, Request};

use super::types::Party;

pub(crate) fn caller(request: &Request) -> Party {
    let asserted = request
        .headers
        .get("P-Asserted-Identity")
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<NameAddr>().ok());
    let from = request.from();
    let name = asserted
        .as_ref()
        .and_then(|a| a.display_name.clone())
        .or_else(|| from.as_ref().and_then(|f| f.display_name.clone()))
        .filter(|n| !n.is_empty());
    let number = asserted
        .as_ref()
        .or(from.as_ref())
        .map(|a| match a.uri.user_unescaped() {
            Some(user) => user.into_owned(),
            None => a.uri.to_string(),
        })
        .unwrap_or_default();
    Party { name, number }
}
