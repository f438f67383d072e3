//! What staff may do, enforced where every command passes (HTTP and the WebSocket alike),
//! not just hidden in the pages. The owner (at this computer or logged in) may run every
//! command. Staff may run only the commands listed here, each kept to their own extension:
//! a request naming someone else's mailbox, recording or number is refused with 403, and
//! lists are cut down to what is theirs.

use serde_json::Value;

use super::Principal;
use crate::command::Ctx;
use crate::ApiError;

/// How a staff request is kept to the staff member's extension.
#[derive(Clone, Copy)]
enum Rule {
    /// Nothing in it belongs to anyone (PBX status, feature codes).
    AsIs,
    /// The named field is set to their extension, whatever was asked.
    OwnNumber(&'static str),
    /// `id` names a voicemail message in their mailbox.
    OwnVoicemail,
    /// `id` names a recording of a call they were on.
    OwnRecording,
    /// `forwarding.number` is their extension.
    OwnForwarding,
    /// Any request; the answer is cut down to their own entries (see [`filter_response`]).
    Filtered,
}

/// The commands staff may run; everything else is the owner's.
const STAFF_COMMANDS: &[(&str, Rule)] = &[
    ("status", Rule::AsIs),
    ("get_app_mode", Rule::AsIs),
    ("list_feature_codes", Rule::AsIs),
    ("list_voicemail", Rule::OwnNumber("mailbox")),
    ("mark_voicemail_heard", Rule::OwnVoicemail),
    ("delete_voicemail", Rule::OwnVoicemail),
    ("call_history", Rule::OwnNumber("number")),
    ("list_recordings", Rule::Filtered),
    ("delete_recording", Rule::OwnRecording),
    ("list_call_forwarding", Rule::Filtered),
    ("save_call_forwarding", Rule::OwnForwarding),
];

/// Whether staff may run `command` at all (the pages use the same list to show theirs).
pub(crate) fn staff_may_run(command: &str) -> bool {
    STAFF_COMMANDS.iter().any(|(name, _)| *name == command)
}

const OWNER_ONLY: &str = "only the owner can do this";
const NOT_YOURS: &str = "this belongs to another extension";

/// Checks that `principal` may run `command` with `request`, and returns the request to
/// run (for staff, kept to their extension).
pub(crate) async fn authorize(
    ctx: &Ctx,
    principal: &Principal,
    command: &str,
    mut request: Value,
) -> Result<Value, ApiError> {
    let Principal::Staff { extension } = principal else {
        return Ok(request);
    };
    let Some((_, rule)) = STAFF_COMMANDS.iter().find(|(name, _)| *name == command) else {
        return Err(ApiError::Forbidden(OWNER_ONLY.to_owned()));
    };
    match *rule {
        Rule::AsIs | Rule::Filtered => {}
        Rule::OwnNumber(field) => {
            if request.is_null() {
                request = Value::Object(serde_json::Map::new());
            }
            let Some(object) = request.as_object_mut() else {
                return Err(ApiError::Malformed("expected a JSON object".to_owned()));
            };
            object.insert(field.to_owned(), Value::String(extension.clone()));
        }
        Rule::OwnVoicemail => {
            let id = id_of(&request)?;
            if !owns_voicemail(ctx, extension, id).await? {
                return Err(ApiError::Forbidden(NOT_YOURS.to_owned()));
            }
        }
        Rule::OwnRecording => {
            let id = id_of(&request)?;
            if !owns_recording(ctx, extension, id).await? {
                return Err(ApiError::Forbidden(NOT_YOURS.to_owned()));
            }
        }
        Rule::OwnForwarding => {
            let number = request
                .get("forwarding")
                .and_then(|f| f.get("number"))
                .and_then(Value::as_str);
            if number != Some(extension.as_str()) {
                return Err(ApiError::Forbidden(NOT_YOURS.to_owned()));
            }
        }
    }
    Ok(request)
}

/// Cuts a staff member's answer down to their own entries.
pub(crate) fn filter_response(principal: &Principal, command: &str, mut response: Value) -> Value {
    let Principal::Staff { extension } = principal else {
        return response;
    };
    let keep: &dyn Fn(&Value) -> bool = match command {
        "list_recordings" => &|r: &Value| {
            r.get("caller").and_then(Value::as_str) == Some(extension)
                || r.get("callee").and_then(Value::as_str) == Some(extension)
        },
        "list_call_forwarding" => {
            &|f: &Value| f.get("number").and_then(Value::as_str) == Some(extension)
        }
        _ => return response,
    };
    if let Some(object) = response.as_object_mut() {
        for list in object.values_mut() {
            if let Some(items) = list.as_array_mut() {
                items.retain(keep);
            }
        }
    }
    response
}

/// Whether the recording `id` is of a call `extension` was on.
pub(crate) async fn owns_recording(ctx: &Ctx, extension: &str, id: i64) -> Result<bool, ApiError> {
    let mine = extension.to_owned();
    ctx.store(move |s| {
        Ok(s.recording(id)?
            .is_some_and(|r| r.caller == mine || r.callee == mine))
    })
    .await
}

/// Whether the voicemail message `id` is in `extension`'s mailbox.
pub(crate) async fn owns_voicemail(ctx: &Ctx, extension: &str, id: i64) -> Result<bool, ApiError> {
    let mine = extension.to_owned();
    ctx.store(move |s| {
        Ok(s.voicemail_messages(Some(&mine))?
            .iter()
            .any(|m| m.id == id))
    })
    .await
}

fn id_of(request: &Value) -> Result<i64, ApiError> {
    request
        .get("id")
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::field("id", "must be a number"))
}
