//! The dial-plan commands, called over HTTP against a real PBX: what they save is what
//! the store then holds, and what they list is what was saved.

mod common;

use common::Harness;
use serde_json::{json, Value};

fn registration_trunk() -> Value {
    json!({
        "id": 0, "name": "Provider", "enabled": true, "host": "sip.provider.example",
        "port": null, "transport": "udp", "outbound_proxy": null,
        "auth": {"mode": "registration", "username": "acme", "password": "s3cret pass"},
        "channels": 2, "codecs": ["pcmu", "PCMA"], "dtmf": "rfc4733", "from_user": "4420",
        "caller_id": "+44 20 7123 4500", "trust_pai": false, "overflow": null,
        "default_destination": {"kind": "hangup"}
    })
}

fn stored_password(h: &Harness, id: i64) -> String {
    match h.store().trunk(id).expect("query").expect("saved").auth {
        pbx::dialplan::TrunkAuth::Registration { password, .. } => password,
        other => panic!("not a registration trunk: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trunk_is_saved_listed_with_its_state_edited_and_removed() {
    let h = Harness::start().await;
    let saved = h.ok("save_trunk", registration_trunk()).await["trunk"].clone();
    let id = saved["id"].as_i64().expect("id");
    assert!(id > 0, "{saved}");
    assert_eq!(saved["name"], "Provider");
    assert_eq!(saved["codecs"], json!(["PCMU", "PCMA"]));
    // The password is never sent back; the contact user was generated, and kept.
    assert_eq!(saved["auth"]["password"], Value::Null);
    let contact = saved["auth"]["contact_user"]
        .as_str()
        .expect("contact user");
    assert_eq!(contact.len(), store::CONTACT_USER_LEN);
    assert_eq!(saved["auth"]["expires"], 3600);
    assert_eq!(stored_password(&h, id), "s3cret pass");

    let list = h.ok("list_trunks", json!({})).await;
    let listed = &list["trunks"][0];
    assert_eq!(listed["trunk"], saved);
    // The state is live: absent only while the PBX has not yet read the new trunk.
    if !listed["state"].is_null() {
        assert_eq!(listed["state"]["id"], id);
        assert_eq!(listed["state"]["channels"], 2);
        assert!(listed["state"]["status"]["state"].is_string(), "{listed}");
    }

    // Saving without a password keeps the saved one.
    let mut edit = saved.clone();
    edit["channels"] = json!(3);
    edit["auth"]["password"] = Value::Null;
    let edited = h.ok("save_trunk", edit).await["trunk"].clone();
    assert_eq!(edited["id"], id);
    assert_eq!(edited["channels"], 3);
    assert_eq!(edited["auth"]["contact_user"], contact);
    assert_eq!(stored_password(&h, id), "s3cret pass");

    // An IP-mode trunk next to it.
    let mut ip = registration_trunk();
    ip["name"] = json!("Backup");
    ip["auth"] = json!({"mode": "ip", "allowed": ["203.0.113.0/24", "sip.backup.example"]});
    let ip = h.ok("save_trunk", ip).await["trunk"].clone();
    assert_eq!(ip["auth"]["allowed"][0], "203.0.113.0/24");
    let list = h.ok("list_trunks", json!({})).await;
    assert_eq!(list["trunks"].as_array().expect("array").len(), 2);

    assert_eq!(h.ok("remove_trunk", json!({"id": id})).await, json!({}));
    assert!(h.store().trunk(id).expect("query").is_none());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_trunk_reports_its_status_as_an_event() {
    let h = Harness::start().await;
    let mut ws = h.ws().await;
    let saved = h.ok("save_trunk", registration_trunk()).await["trunk"].clone();
    // The PBX reads the saved trunk before the save answers and says what it is doing
    // with it, so its status may arrive before or after the dial plan change.
    let (mut changed, mut status) = (None, None);
    while changed.is_none() || status.is_none() {
        let message = ws
            .wait_for("dial_plan_changed and trunk_status", |m| {
                m["event"]["type"] == "dial_plan_changed" || m["event"]["type"] == "trunk_status"
            })
            .await;
        let event = message["event"].clone();
        if event["type"] == "trunk_status" {
            status.get_or_insert(event);
        } else {
            changed.get_or_insert(event);
        }
    }
    let (changed, status) = (changed.unwrap_or_default(), status.unwrap_or_default());
    assert_eq!(changed["what"], "trunks");
    assert_eq!(status["state"]["id"], saved["id"], "{status}");
    assert_eq!(status["state"]["name"], "Provider");
    assert_eq!(status["state"]["channels"], 2);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_names_are_saved_listed_linked_and_removed() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let saved = h
        .ok(
            "save_business_name",
            json!({"id": 0, "name": "sales.acme", "number": "+44 20 7123 4567", "label": "",
                   "trunk": null, "destination": {"kind": "extension", "target": "201"}}),
        )
        .await["name"]
        .clone();
    let id = saved["id"].as_i64().expect("id");
    assert!(id > 0);
    // An empty label becomes the name's first part.
    assert_eq!(saved["label"], "Sales");
    assert_eq!(
        saved["destination"],
        json!({"kind": "extension", "target": "201"})
    );

    let list = h.ok("list_business_names", json!({})).await;
    assert_eq!(list["names"], json!([saved.clone()]));

    let mut edit = saved.clone();
    edit["label"] = json!("Sales desk");
    edit["destination"] = json!({"kind": "hangup"});
    let edited = h.ok("save_business_name", edit).await["name"].clone();
    assert_eq!(edited["id"], id);
    let plan = h.store().load_dial_plan().expect("plan");
    assert_eq!(plan.names.len(), 1);
    assert_eq!(plan.names[0].label, "Sales desk");
    assert_eq!(
        plan.names[0].destination,
        pbx::dialplan::Destination::Hangup
    );

    let links = h.ok("click_to_call", json!({"id": id})).await;
    assert_eq!(links["tel"], "tel:+442071234567");
    let sip_host = h.sip.to_string();
    assert_eq!(links["sip"], format!("sip:sales.acme@{sip_host}"));
    assert_eq!(links["skype"], "skype:sales.acme?call");
    let html = links["html"].as_str().expect("html");
    assert!(html.contains("href=\"tel:+442071234567\""), "{html}");
    assert!(html.contains("Sales desk"), "{html}");

    assert_eq!(
        h.ok("remove_business_name", json!({"id": id})).await,
        json!({})
    );
    assert!(h.store().load_dial_plan().expect("plan").names.is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_list_is_checked_then_imported_whole() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let text = "sales.acme +44 20 7123 4567\n\nsupport.acme 0044 20 7123 4568 [Help]\n";
    let request = json!({"text": text, "destination": {"kind": "extension", "target": "201"},
                         "check_only": true});
    let checked = h.ok("import_business_names", request).await;
    assert_eq!(checked["imported"], false);
    assert_eq!(checked["names"][1]["label"], "Help");
    assert!(h.store().load_dial_plan().expect("plan").names.is_empty());

    let imported = h
        .ok(
            "import_business_names",
            json!({"text": text, "destination": {"kind": "extension", "target": "201"}}),
        )
        .await;
    assert_eq!(imported["imported"], true);
    let names: Vec<(&str, &str)> = imported["names"]
        .as_array()
        .expect("array")
        .iter()
        .map(|n| {
            assert!(n["id"].as_i64().expect("id") > 0);
            (
                n["name"].as_str().expect("name"),
                n["label"].as_str().expect("label"),
            )
        })
        .collect();
    assert_eq!(names, [("sales.acme", "Sales"), ("support.acme", "Help")]);
    let plan = h.store().load_dial_plan().expect("plan");
    assert_eq!(plan.names.len(), 2);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ring_groups_are_saved_renumbered_with_their_references_and_removed() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    let group = json!({"number": "600", "name": "Sales", "strategy": "in_order",
                       "members": [{"number": "201", "ring_seconds": 15},
                                   {"number": "202", "ring_seconds": 20}],
                       "final_destination": {"kind": "hangup"}});
    let saved = h.ok("save_ring_group", group.clone()).await;
    assert_eq!(saved["group"], group);
    h.ok(
        "save_business_name",
        json!({"id": 0, "name": "sales.acme", "number": "+442071234567", "label": "Sales",
               "trunk": null, "destination": {"kind": "ring_group", "target": "600"}}),
    )
    .await;

    let mut renumbered = group.clone();
    renumbered["number"] = json!("610");
    renumbered["previous_number"] = json!("600");
    let saved = h.ok("save_ring_group", renumbered).await;
    assert_eq!(saved["group"]["number"], "610");
    let list = h.ok("list_ring_groups", json!({})).await;
    assert_eq!(list["groups"].as_array().expect("array").len(), 1);
    assert_eq!(list["groups"][0]["number"], "610");
    let names = h.ok("list_business_names", json!({})).await;
    assert_eq!(
        names["names"][0]["destination"],
        json!({"kind": "ring_group", "target": "610"})
    );

    // Still used by the business name: refused; once that goes, removed.
    let error = h
        .refused("remove_ring_group", json!({"number": "610"}), 422)
        .await;
    assert!(error["fields"]["number"].is_string(), "{error}");
    let id = names["names"][0]["id"].clone();
    h.ok("remove_business_name", json!({"id": id})).await;
    h.ok("remove_ring_group", json!({"number": "610"})).await;
    assert!(h
        .store()
        .load_dial_plan()
        .expect("plan")
        .ring_groups
        .is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn business_hours_are_saved_listed_and_removed() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let schedule = json!({"id": 0, "name": "Office hours", "time_zone": "Europe/London",
        "periods": [{"day": 1, "open": "09:00", "close": "17:30"}],
        "holidays": [{"date": "2026-12-25", "name": "Christmas"}],
        "open": {"kind": "extension", "target": "201"}, "closed": {"kind": "hangup"}});
    let saved = h.ok("save_schedule", schedule).await["schedule"].clone();
    let id = saved["id"].as_i64().expect("id");
    assert!(id > 0);
    assert_eq!(saved["periods"][0]["close"], "17:30");
    let list = h.ok("list_schedules", json!({})).await;
    assert_eq!(list["schedules"], json!([saved.clone()]));

    let mut edit = saved.clone();
    edit["time_zone"] = json!("America/New_York");
    h.ok("save_schedule", edit).await;
    let plan = h.store().load_dial_plan().expect("plan");
    assert_eq!(plan.schedules.len(), 1);
    assert_eq!(plan.schedules[0].time_zone, "America/New_York");

    h.ok("remove_schedule", json!({"id": id})).await;
    assert!(h
        .store()
        .load_dial_plan()
        .expect("plan")
        .schedules
        .is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_routes_and_permissions_are_saved_and_listed() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let trunk = h.ok("save_trunk", registration_trunk()).await["trunk"]["id"].clone();
    let routes = json!([
        {"name": "UK", "patterns": ["0.", "+44."], "strip": 1, "prepend": "+44",
         "trunks": [trunk]},
        {"name": "Anywhere", "patterns": ["+!"], "strip": 0, "prepend": "", "trunks": [trunk]}
    ]);
    let saved = h
        .ok("save_outbound_routes", json!({"routes": routes}))
        .await;
    let names: Vec<&str> = saved["routes"]
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["UK", "Anywhere"]);

    let allowed = h
        .ok(
            "set_outbound_permission",
            json!({"number": "201", "allowed": true}),
        )
        .await;
    assert_eq!(allowed, json!({"number": "201", "allowed": true}));
    let listed = h.ok("list_outbound_routes", json!({})).await;
    assert_eq!(listed["routes"][0]["patterns"], json!(["0.", "+44."]));
    assert_eq!(listed["outbound_allowed"], json!(["201"]));
    assert!(listed["emergency_numbers"]
        .as_array()
        .expect("array")
        .contains(&json!("112")));
    let extensions = h.ok("list_extensions", json!({})).await;
    assert_eq!(extensions["extensions"][0]["outbound_allowed"], true);
    assert!(
        h.store()
            .extension("201")
            .expect("q")
            .expect("e")
            .outbound_allowed
    );

    h.ok(
        "set_outbound_permission",
        json!({"number": "201", "allowed": false}),
    )
    .await;
    assert!(
        !h.store()
            .extension("201")
            .expect("q")
            .expect("e")
            .outbound_allowed
    );
    let saved = h
        .ok(
            "save_outbound_routes",
            json!({"routes": [], "emergency_numbers": ["112", " 9-9-9 "]}),
        )
        .await;
    assert_eq!(saved["emergency_numbers"], json!(["112", "999"]));
    assert_eq!(
        h.store().emergency_numbers().expect("numbers"),
        ["112", "999"]
    );
    assert!(h
        .store()
        .load_dial_plan()
        .expect("plan")
        .outbound_routes
        .is_empty());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_state_counts_what_exists_and_completes_once() {
    let h = Harness::start().await;
    let state = h.ok("get_setup_state", json!({})).await;
    assert_eq!(
        state,
        json!({"complete": false, "trunks": 0, "business_names": 0, "extensions": 0,
               "ring_groups": 0, "schedules": 0})
    );
    h.add_extension("201", "Alice").await;
    h.ok("save_trunk", registration_trunk()).await;
    let done = h.ok("complete_setup", json!({})).await;
    assert_eq!(done["complete"], true);
    assert_eq!(done["trunks"], 1);
    assert_eq!(done["extensions"], 1);
    assert!(h.store().setup_complete().expect("flag"));
    assert_eq!(h.ok("get_setup_state", json!({})).await["complete"], true);
    h.stop().await;
}
