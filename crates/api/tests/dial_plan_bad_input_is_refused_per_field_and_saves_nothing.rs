//! Bad dial-plan input — a form left half-filled, a destination that does not exist, a
//! number already taken, a ring group that would contain itself, a malformed line in a
//! pasted name list — is refused with a message on the request's own field, and nothing
//! is saved.

mod common;

use common::Harness;
use serde_json::{json, Value};

/// Sends `request`, expects `status` with a message on each of `fields`, and no change to
/// the dial plan.
async fn refused_on(
    h: &Harness,
    command: &str,
    request: Value,
    status: u16,
    fields: &[&str],
) -> Value {
    let before = h.store().load_dial_plan().expect("plan");
    let error = h.refused(command, request.clone(), status).await;
    for field in fields {
        let message = error["fields"][field].as_str().unwrap_or_else(|| {
            panic!("{command} {request}: no message for field {field:?} in {error}")
        });
        assert!(!message.is_empty());
    }
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );
    assert_eq!(
        h.store().load_dial_plan().expect("plan"),
        before,
        "{command} {request} changed the dial plan"
    );
    error
}

fn trunk() -> Value {
    json!({
        "id": 0, "name": "Provider", "enabled": true, "host": "sip.provider.example",
        "port": null, "transport": "udp", "outbound_proxy": null,
        "auth": {"mode": "registration", "username": "acme", "password": "secret"},
        "channels": 2, "codecs": ["PCMU"], "dtmf": "rfc4733", "from_user": null,
        "caller_id": null, "trust_pai": false, "overflow": null,
        "default_destination": {"kind": "hangup"}
    })
}

fn name(name: &str, number: &str, destination: Value) -> Value {
    json!({"id": 0, "name": name, "number": number, "label": "", "trunk": null,
           "destination": destination})
}

fn group(number: &str, members: &[&str]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|m| json!({"number": m, "ring_seconds": 20}))
        .collect();
    json!({"number": number, "name": format!("Group {number}"), "strategy": "all",
           "members": members, "final_destination": null})
}

async fn harness() -> Harness {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trunk_form_with_mistakes_is_refused_field_by_field() {
    let h = harness().await;
    let mut bad = trunk();
    bad["host"] = json!("");
    bad["channels"] = json!(0);
    bad["auth"]["password"] = json!("");
    bad["default_destination"] = json!({"kind": "extension", "target": "999"});
    let error = refused_on(
        &h,
        "save_trunk",
        bad,
        422,
        &["host", "channels", "auth.password", "default_destination"],
    )
    .await;
    assert!(error["fields"]["default_destination"]
        .as_str()
        .is_some_and(|m| m.contains("999")));

    let mut ip = trunk();
    ip["auth"] = json!({"mode": "ip", "allowed": ["203.0.113.0/33"]});
    refused_on(&h, "save_trunk", ip, 422, &["auth.allowed.0"]).await;

    // Shapes: a wrong type deep in the request is named by its path.
    let mut shape = trunk();
    shape["port"] = json!("five");
    refused_on(&h, "save_trunk", shape, 422, &["port"]).await;
    let mut unknown = trunk();
    unknown["id"] = json!(77);
    refused_on(&h, "save_trunk", unknown, 404, &["id"]).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_destinations_and_duplicate_numbers_are_refused() {
    let h = harness().await;
    let error = refused_on(
        &h,
        "save_business_name",
        name(
            "sales.acme",
            "+442071234567",
            json!({"kind": "extension", "target": "299"}),
        ),
        422,
        &["destination"],
    )
    .await;
    assert!(error["message"].as_str().expect("message").contains("299"));
    refused_on(
        &h,
        "save_business_name",
        name(
            "sales.acme",
            "+442071234567",
            json!({"kind": "ring_group", "target": "600"}),
        ),
        422,
        &["destination"],
    )
    .await;
    refused_on(
        &h,
        "save_business_name",
        name(
            "sales.acme",
            "+442071234567",
            json!({"kind": "hours", "target": 9}),
        ),
        422,
        &["destination"],
    )
    .await;

    h.ok(
        "save_business_name",
        name(
            "sales.acme",
            "+442071234567",
            json!({"kind": "extension", "target": "201"}),
        ),
    )
    .await;
    // The same number written another way is still the same number.
    let error = refused_on(
        &h,
        "save_business_name",
        name(
            "support.acme",
            "0044 20 7123-4567",
            json!({"kind": "extension", "target": "202"}),
        ),
        422,
        &["number"],
    )
    .await;
    assert!(
        error["fields"]["number"]
            .as_str()
            .is_some_and(|m| m.contains("sales.acme")),
        "{error}"
    );
    refused_on(
        &h,
        "save_business_name",
        name(
            "sales.acme",
            "+442071234999",
            json!({"kind": "extension", "target": "202"}),
        ),
        422,
        &["name"],
    )
    .await;
    refused_on(
        &h,
        "save_business_name",
        name("x.acme", "not a number", json!({"kind": "hangup"})),
        422,
        &["number"],
    )
    .await;
    refused_on(&h, "click_to_call", json!({"id": 12345}), 404, &["id"]).await;
    refused_on(
        &h,
        "remove_business_name",
        json!({"id": 12345}),
        404,
        &["id"],
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_group_that_would_contain_itself_is_refused() {
    let h = harness().await;
    let error = refused_on(
        &h,
        "save_ring_group",
        group("600", &["201", "600"]),
        422,
        &["members.1.number"],
    )
    .await;
    assert!(error["fields"]["members.1.number"]
        .as_str()
        .is_some_and(|m| m.contains("itself")));

    // Through another group: 600 contains 610, and 610 may not then contain 600.
    h.ok("save_ring_group", group("610", &["202"])).await;
    h.ok("save_ring_group", group("600", &["201", "610"])).await;
    let mut nested = group("610", &["202", "600"]);
    nested["previous_number"] = json!("610");
    refused_on(&h, "save_ring_group", nested, 422, &["members.1.number"]).await;

    // A final destination that leads back to the group.
    let mut looped = group("610", &["202"]);
    looped["previous_number"] = json!("610");
    looped["final_destination"] = json!({"kind": "ring_group", "target": "600"});
    h.ok("save_ring_group", looped).await;
    let mut back = group("600", &["201"]);
    back["previous_number"] = json!("600");
    back["final_destination"] = json!({"kind": "ring_group", "target": "610"});
    refused_on(&h, "save_ring_group", back, 422, &["final_destination"]).await;

    // Members that are nobody, a number an extension has, a group that does not exist.
    refused_on(
        &h,
        "save_ring_group",
        group("620", &["299"]),
        422,
        &["members.0.number"],
    )
    .await;
    refused_on(
        &h,
        "save_ring_group",
        group("201", &["202"]),
        422,
        &["number"],
    )
    .await;
    refused_on(
        &h,
        "save_ring_group",
        group("610", &["202"]),
        422,
        &["number"],
    )
    .await;
    let mut missing = group("630", &["202"]);
    missing["previous_number"] = json!("639");
    refused_on(&h, "save_ring_group", missing, 404, &["previous_number"]).await;
    let mut shape = group("640", &["202"]);
    shape["members"][0]["ring_seconds"] = json!(-5);
    refused_on(
        &h,
        "save_ring_group",
        shape,
        422,
        &["members.0.ring_seconds"],
    )
    .await;
    // Still rung by 600: cannot go.
    refused_on(
        &h,
        "remove_ring_group",
        json!({"number": "610"}),
        422,
        &["number"],
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_name_list_line_is_reported_by_number_and_nothing_is_imported() {
    let h = harness().await;
    let destination = json!({"kind": "extension", "target": "201"});
    let text = "sales.acme +44 20 7123 4567\nsupport.acme\nbilling.acme +44 20 7123 4569\n";
    let error = refused_on(
        &h,
        "import_business_names",
        json!({"text": text, "destination": destination}),
        422,
        &["text.2"],
    )
    .await;
    assert!(error["fields"].get("text.1").is_none(), "{error}");
    assert!(error["fields"].get("text.3").is_none(), "{error}");

    // A number already saved is reported on its line, too.
    h.ok(
        "save_business_name",
        name("main.acme", "+442071234569", json!({"kind": "hangup"})),
    )
    .await;
    let text = "sales.acme,+44 20 7123 4567\nbilling.acme,+44 20 7123 4569\n";
    refused_on(
        &h,
        "import_business_names",
        json!({"text": text, "destination": destination}),
        422,
        &["text.2"],
    )
    .await;
    // A destination that does not exist is the request's, not a line's.
    refused_on(
        &h,
        "import_business_names",
        json!({"text": "sales.acme +44 20 7123 4567", "destination":
               {"kind": "extension", "target": "299"}}),
        422,
        &["destination"],
    )
    .await;
    refused_on(
        &h,
        "import_business_names",
        json!({"text": "sales.acme +44 20 7123 4567", "trunk": 404,
               "destination": destination}),
        422,
        &["trunk"],
    )
    .await;
    refused_on(
        &h,
        "import_business_names",
        json!({"text": " \n# only a comment\n", "destination": destination}),
        422,
        &["text"],
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_business_hours_and_routes_are_refused() {
    let h = harness().await;
    let schedule = json!({"id": 0, "name": "Hours", "time_zone": "Mars/Olympus",
        "periods": [{"day": 8, "open": "17:00", "close": "09:00"}],
        "holidays": [{"date": "2026-13-01", "name": "Never"}],
        "open": {"kind": "extension", "target": "201"}, "closed": {"kind": "hangup"}});
    refused_on(
        &h,
        "save_schedule",
        schedule,
        422,
        &[
            "time_zone",
            "periods.0.day",
            "periods.0.close",
            "holidays.0.date",
        ],
    )
    .await;
    refused_on(&h, "remove_schedule", json!({"id": 4}), 404, &["id"]).await;

    let routes = json!({"routes": [
        {"name": "UK", "patterns": ["0.", "0[9-"], "strip": 0, "prepend": "", "trunks": [41]}
    ]});
    refused_on(
        &h,
        "save_outbound_routes",
        routes,
        422,
        &["routes.0.patterns.1", "routes.0.trunks.0"],
    )
    .await;
    let numbers = json!({"routes": [], "emergency_numbers": ["112", "9-9-9x"]});
    refused_on(
        &h,
        "save_outbound_routes",
        numbers,
        422,
        &["emergency_numbers.1"],
    )
    .await;
    let none = json!({"routes": [], "emergency_numbers": []});
    refused_on(
        &h,
        "save_outbound_routes",
        none,
        422,
        &["emergency_numbers"],
    )
    .await;
    assert_eq!(
        h.store().emergency_numbers().expect("numbers"),
        store::DEFAULT_EMERGENCY_NUMBERS
    );
    refused_on(
        &h,
        "set_outbound_permission",
        json!({"number": "299", "allowed": true}),
        404,
        &["number"],
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trunk_still_in_use_cannot_be_removed() {
    let h = harness().await;
    let id = h.ok("save_trunk", trunk()).await["trunk"]["id"].clone();
    let mut named = name("sales.acme", "+442071234567", json!({"kind": "hangup"}));
    named["trunk"] = id.clone();
    h.ok("save_business_name", named).await;
    let error = refused_on(&h, "remove_trunk", json!({"id": id}), 422, &["id"]).await;
    assert!(
        error["fields"]["id"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{error}"
    );
    refused_on(&h, "remove_trunk", json!({"id": 999}), 404, &["id"]).await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_a_business_name_rings_cannot_be_removed() {
    let h = harness().await;
    h.ok(
        "save_business_name",
        name(
            "sales.acme",
            "+442071234567",
            json!({"kind": "extension", "target": "201"}),
        ),
    )
    .await;
    let error = refused_on(
        &h,
        "remove_extension",
        json!({"number": "201"}),
        422,
        &["number"],
    )
    .await;
    assert!(
        error["fields"]["number"]
            .as_str()
            .is_some_and(|m| m.contains("sales.acme")),
        "{error}"
    );
    assert!(h.store().extension("201").expect("query").is_some());
    h.stop().await;
}
