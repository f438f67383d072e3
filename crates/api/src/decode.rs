//! Reading a request: JSON into the command's type, with mistakes reported per field
//! (`"limit": "must be a whole number from 0 to 4294967295"`) rather than as one parser
//! message, so a form can put each next to its field.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::ApiError;

/// Decodes a request. A missing body (`null`) counts as `{}`, so commands without input
/// can be called with an empty POST.
pub(crate) fn decode<T: DeserializeOwned>(request: Value) -> Result<T, ApiError> {
    let request = match request {
        Value::Null => Value::Object(serde_json::Map::new()),
        Value::Object(map) => Value::Object(map),
        other => {
            return Err(ApiError::Malformed(format!(
                "expected a JSON object, got {}",
                kind(&other)
            )))
        }
    };
    serde_path_to_error::deserialize(request).map_err(|e| {
        // The dotted path of the refused value, as validation names fields too:
        // `trunk.auth.username`, `routes.0.patterns.1`.
        let path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        let raw = e.inner().to_string();
        if path.is_empty() {
            return top_level(&raw);
        }
        let field = path.join(".");
        // A field missing inside a nested object is that object's field.
        if let Some(name) = quoted_after(&raw, "missing field `") {
            return ApiError::field(&format!("{field}.{name}"), "is required");
        }
        ApiError::field(&field, humanize(&raw))
    })
}

/// Errors about the object itself: a missing or an unknown field.
fn top_level(raw: &str) -> ApiError {
    if let Some(name) = quoted_after(raw, "missing field `") {
        return ApiError::field(name, "is required");
    }
    if let Some(name) = quoted_after(raw, "unknown field `") {
        return ApiError::field(name, "is not a field of this command");
    }
    ApiError::Malformed(raw.to_owned())
}

/// The text between `prefix` and the next backquote.
fn quoted_after<'a>(raw: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = raw.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// serde's "invalid type: string \"x\", expected u16" as a sentence for a person.
fn humanize(raw: &str) -> String {
    if raw.starts_with("unknown field `") {
        return "is not a field of this command".to_owned();
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `") {
        if let Some((_, expected)) = rest.split_once("expected ") {
            let options = expected
                .trim_start_matches("one of ")
                .replace('`', "")
                .replace(" or ", ", ");
            return format!("must be one of {options}");
        }
    }
    let Some((_, expected)) = raw.rsplit_once("expected ") else {
        return raw.to_owned();
    };
    let expected = expected.trim();
    let what = match expected {
        "u8" => "a whole number from 0 to 255".to_owned(),
        "u16" => "a whole number from 0 to 65535".to_owned(),
        "u32" => "a whole number from 0 to 4294967295".to_owned(),
        "u64" | "usize" => "a whole number, 0 or more".to_owned(),
        "i32" | "i64" => "a whole number".to_owned(),
        "a sequence" => "a list".to_owned(),
        "a boolean" => "true or false".to_owned(),
        e if e.starts_with("struct ") || e == "a map" => "an object".to_owned(),
        other => other.to_owned(),
    };
    format!("must be {what}")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        name: String,
        limit: Option<u32>,
        tags: Option<Vec<String>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        inner: Vec<Req>,
    }

    #[test]
    fn a_nested_field_is_named_by_its_path() {
        let e = decode::<Outer>(serde_json::json!({"inner": [{"name": "a", "limit": "x"}]}))
            .expect_err("refused");
        assert_eq!(
            fields(e),
            [(
                "inner.0.limit".into(),
                "must be a whole number from 0 to 4294967295".into()
            )]
        );
        let e = decode::<Outer>(serde_json::json!({"inner": [{"name": "a"}, {}]}))
            .expect_err("refused");
        assert_eq!(fields(e), [("inner.1.name".into(), "is required".into())]);
    }

    fn fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Invalid { fields, .. } => fields.into_iter().collect(),
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn a_missing_field_is_named() {
        let e = decode::<Req>(serde_json::json!({})).expect_err("refused");
        assert_eq!(fields(e), [("name".into(), "is required".into())]);
    }

    #[test]
    fn an_unknown_field_is_named() {
        let e = decode::<Req>(serde_json::json!({"name": "a", "nmae": "b"})).expect_err("refused");
        assert_eq!(
            fields(e),
            [("nmae".into(), "is not a field of this command".into())]
        );
    }

    #[test]
    fn a_wrong_type_is_reported_on_its_field() {
        let e = decode::<Req>(serde_json::json!({"name": "a", "limit": -1})).expect_err("refused");
        assert_eq!(
            fields(e),
            [(
                "limit".into(),
                "must be a whole number from 0 to 4294967295".into()
            )]
        );
        let e = decode::<Req>(serde_json::json!({"name": "a", "tags": [1]})).expect_err("refused");
        assert_eq!(fields(e), [("tags.0".into(), "must be a string".into())]);
    }

    #[test]
    fn null_means_an_empty_request_and_arrays_are_malformed() {
        let e = decode::<Req>(Value::Null).expect_err("name still required");
        assert_eq!(fields(e), [("name".into(), "is required".into())]);
        assert!(matches!(
            decode::<Req>(serde_json::json!([1])),
            Err(ApiError::Malformed(_))
        ));
    }
}
