//! Each command, called over HTTP against a real PBX, does what it says and the store and
//! the PBX agree with its answer.

mod common;

use common::{Harness, Phone};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_a_running_pbx_and_its_counts() {
    let h = Harness::start().await;
    let status = h.ok("status", json!({})).await;
    assert_eq!(status["running"], true);
    assert_eq!(status["registered_phones"], 0);
    assert_eq!(status["live_calls"], 0);
    assert_eq!(status["extensions"], 0);
    assert_eq!(status["sip_addresses"], json!([h.sip.to_string()]));
    assert_eq!(status["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(status["trunks"], serde_json::json!([]));

    h.add_extension("201", "Alice").await;
    // An empty body is an empty request.
    let (code, body) = h.post("/api/status", &[], String::new()).await;
    assert_eq!(code, 200, "{body}");
    let status: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(status["extensions"], 1);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_are_added_edited_reset_and_removed() {
    let h = Harness::start().await;
    let added = h
        .ok(
            "add_extension",
            json!({"number": "201", "name": "  Alice Smith "}),
        )
        .await;
    let password = added["password"].as_str().expect("password").to_owned();
    assert!(
        password.len() >= 16,
        "a long generated password: {password}"
    );
    assert_eq!(
        added["extension"],
        json!({"number": "201", "name": "Alice Smith", "created_at": added["extension"]["created_at"],
               "registered": false, "outbound_allowed": false, "srtp_required": false,
               "devices": []})
    );
    let stored = h.store().extension("201").expect("query").expect("saved");
    assert_eq!(stored.name, "Alice Smith");
    assert_eq!(
        stored.ha1_md5,
        store::ha1_md5("201", common::REALM, &password)
    );

    let edited = h
        .ok(
            "edit_extension",
            json!({"number": "201", "name": "Alice Jones"}),
        )
        .await;
    assert_eq!(edited["extension"]["name"], "Alice Jones");
    assert_eq!(
        h.store().extension("201").expect("q").expect("e").name,
        "Alice Jones"
    );

    let reset = h.ok("reset_password", json!({"number": "201"})).await;
    let new_password = reset["password"].as_str().expect("password");
    assert_ne!(new_password, password);
    let stored = h.store().extension("201").expect("query").expect("saved");
    assert_eq!(
        stored.ha1_md5,
        store::ha1_md5("201", common::REALM, new_password)
    );

    h.add_extension("1000", "Front desk").await;
    h.add_extension("30", "Warehouse").await;
    let list = h.ok("list_extensions", json!({})).await;
    let numbers: Vec<&str> = list["extensions"]
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["number"].as_str().expect("number"))
        .collect();
    assert_eq!(numbers, ["30", "201", "1000"]);

    assert_eq!(
        h.ok("remove_extension", json!({"number": "201"})).await,
        json!({})
    );
    assert!(h.store().extension("201").expect("query").is_none());
    let list = h.ok("list_extensions", json!({})).await;
    assert_eq!(list["extensions"].as_array().expect("array").len(), 2);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registered_phone_shows_under_its_extension_and_in_registrations() {
    let h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    // The PBX knows the new extension at once: no restart, no wait for a poll.
    let mut phone = Phone::new(h.sip, "201", &password).await;
    assert_eq!(phone.register(300).await, 200);

    let list = h.ok("list_extensions", json!({})).await;
    let alice = &list["extensions"][0];
    assert_eq!(alice["number"], "201");
    assert_eq!(alice["registered"], true);
    let device = &alice["devices"][0];
    assert_eq!(device["address"], phone.addr().to_string());
    assert_eq!(device["transport"], "udp");
    assert_eq!(device["user_agent"], "ApiTestPhone/1.0");
    assert_eq!(device["contact"], format!("sip:201@{}", phone.addr()));
    assert!(device["expires_in"].as_u64().expect("expires_in") <= 300);
    assert_eq!(list["extensions"][1]["registered"], false);

    let registrations = h.ok("list_registrations", json!({})).await;
    assert_eq!(
        registrations["registrations"]
            .as_array()
            .expect("array")
            .len(),
        1
    );
    assert_eq!(registrations["registrations"][0]["extension"], "201");
    assert_eq!(h.ok("status", json!({})).await["registered_phones"], 1);

    // A removed extension's phone is gone from the PBX at once too.
    h.ok("remove_extension", json!({"number": "201"})).await;
    let registrations = h.ok("list_registrations", json!({})).await;
    assert_eq!(registrations["registrations"], json!([]));
    assert_eq!(
        phone.register(300).await,
        401,
        "a removed extension cannot register"
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ringing_call_is_listed_and_hung_up_then_in_the_history() {
    let h = Harness::start().await;
    let alice_pw = h.add_extension("201", "Alice").await;
    let bob_pw = h.add_extension("202", "Bob").await;
    let mut alice = Phone::new(h.sip, "201", &alice_pw).await;
    let mut bob = Phone::new(h.sip, "202", &bob_pw).await;
    assert_eq!(alice.register(300).await, 200);
    assert_eq!(bob.register(300).await, 200);
    assert_eq!(
        h.ok("list_live_calls", json!({})).await,
        json!({"calls": []})
    );

    let call_id = alice.call("202").await;
    bob.next_request("INVITE").await;
    let live = h.ok("list_live_calls", json!({})).await;
    let call = &live["calls"][0];
    assert_eq!(call["call_id"], call_id.as_str());
    assert_eq!(call["caller_number"], "201");
    assert_eq!(call["caller_name"], "Alice");
    assert_eq!(call["callee"], "202");
    assert_eq!(call["state"], "ringing");
    assert_eq!(call["direction"], "internal");
    assert_eq!(call["trunk"], serde_json::Value::Null);
    assert_eq!(call["business_name"], serde_json::Value::Null);

    assert_eq!(
        h.ok("hang_up", json!({"call_id": call_id})).await,
        json!({})
    );
    assert_eq!(
        h.ok("list_live_calls", json!({})).await,
        json!({"calls": []})
    );

    // The record is written in the background; wait (bounded) until it is there.
    let mut history = json!(null);
    for _ in 0..100 {
        history = h.ok("call_history", json!({})).await;
        if !history["calls"].as_array().expect("array").is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let record = &history["calls"][0];
    assert_eq!(record["call_id"], call_id.as_str());
    assert_eq!(record["caller_number"], "201");
    assert_eq!(record["callee"], "202");
    assert_eq!(record["outcome"], "cancelled");
    assert_eq!(record["hangup_by"], "system");
    assert_eq!(record["duration_s"], 0);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_history_filters_by_number_outcome_and_limit() {
    let h = Harness::start().await;
    {
        let store = h.store();
        for (i, (caller, callee, outcome)) in [
            ("201", "202", store::Outcome::Answered),
            ("202", "203", store::Outcome::Busy),
            ("203", "201", store::Outcome::NoAnswer),
            ("204", "205", store::Outcome::Answered),
        ]
        .into_iter()
        .enumerate()
        {
            let started = 1_700_000_000 + i64::try_from(i).expect("small") * 60;
            store
                .insert_cdr(&store::NewCdr {
                    call_id: format!("c{i}"),
                    caller_number: caller.to_owned(),
                    caller_name: None,
                    callee: callee.to_owned(),
                    answered_by: (outcome == store::Outcome::Answered).then(|| callee.to_owned()),
                    started_at: started,
                    answered_at: (outcome == store::Outcome::Answered).then_some(started + 5),
                    ended_at: started + 30,
                    outcome,
                    hangup_by: store::HangupBy::Caller,
                    reason: None,
                    // The last call came in by a trunk and found every line busy.
                    business_name: (i == 3).then(|| "sales.acme".to_owned()),
                    trunk: (i == 3).then(|| "Provider".to_owned()),
                    direction: if i == 3 {
                        store::Direction::Inbound
                    } else {
                        store::Direction::Internal
                    },
                    lines_busy: i == 3,
                })
                .expect("insert");
        }
    }
    let ids = |v: serde_json::Value| -> Vec<String> {
        v["calls"]
            .as_array()
            .expect("array")
            .iter()
            .map(|c| c["call_id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(
        ids(h.ok("call_history", json!({})).await),
        ["c3", "c2", "c1", "c0"]
    );
    assert_eq!(
        ids(h.ok("call_history", json!({"number": "201"})).await),
        ["c2", "c0"]
    );
    assert_eq!(
        ids(h.ok("call_history", json!({"outcome": "answered"})).await),
        ["c3", "c0"]
    );
    assert_eq!(
        ids(h
            .ok("call_history", json!({"number": "202", "outcome": "busy"}))
            .await),
        ["c1"]
    );
    assert_eq!(
        ids(h.ok("call_history", json!({"limit": 2})).await),
        ["c3", "c2"]
    );
    // An empty number box means no filter.
    assert_eq!(
        ids(h.ok("call_history", json!({"number": ""})).await).len(),
        4
    );
    let answered = h.ok("call_history", json!({"number": "204"})).await;
    assert_eq!(answered["calls"][0]["duration_s"], 25);
    assert_eq!(answered["calls"][0]["hangup_by"], "caller");
    let inbound = &answered["calls"][0];
    assert_eq!(inbound["business_name"], "sales.acme");
    assert_eq!(inbound["trunk"], "Provider");
    assert_eq!(inbound["direction"], "inbound");
    assert_eq!(inbound["lines_busy"], true);
    let internal = h.ok("call_history", json!({"number": "203"})).await;
    assert_eq!(internal["calls"][0]["direction"], "internal");
    assert_eq!(internal["calls"][0]["business_name"], json!(null));
    assert_eq!(internal["calls"][0]["lines_busy"], false);
    assert_eq!(
        ids(h.ok("call_history", json!({"lines_busy": true})).await),
        ["c3"]
    );
    assert_eq!(
        ids(h
            .ok(
                "call_history",
                json!({"direction": "internal", "limit": 10})
            )
            .await),
        ["c2", "c1", "c0"]
    );
    assert_eq!(
        ids(h
            .ok(
                "call_history",
                json!({"trunk": "Provider", "business_name": "sales.acme"})
            )
            .await),
        ["c3"]
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_read_saved_and_the_log_level_applies_at_once() {
    let h = Harness::start().await;
    let got = h.ok("get_settings", json!({})).await;
    assert_eq!(
        got["settings"],
        json!({"sip_listen": ["0.0.0.0:5060", "[::]:5060"], "rtp_port_min": 10000,
               "rtp_port_max": 19999, "log_level": "info", "admin_bind": "127.0.0.1:8080"})
    );
    assert_eq!(got["data_folder"], h.dir.path().display().to_string());
    assert_eq!(got["sip_transports"], json!(["udp", "tcp"]));
    // The test PBX runs on other addresses than the defaults, so those wait for a restart.
    assert_eq!(
        got["restart_required"],
        json!(["sip_listen", "rtp_port_min", "rtp_port_max", "admin_bind"])
    );

    // Saving what the PBX runs with needs no restart except for the admin address, which
    // was port 0 here.
    let saved = h
        .ok(
            "save_settings",
            json!({"sip_listen": ["127.0.0.1:5070"],
                   "rtp_port_min": 41000, "rtp_port_max": 41999, "log_level": "debug",
                   "admin_bind": "[::1]:9000"}),
        )
        .await;
    assert_eq!(saved["settings"]["log_level"], "debug");
    assert_eq!(saved["settings"]["admin_bind"], "[::1]:9000");
    assert_eq!(
        saved["restart_required"],
        json!(["sip_listen", "admin_bind"])
    );
    assert_eq!(
        *h.log_levels.lock().expect("lock"),
        [store::LogLevel::Debug]
    );
    let stored = h.store().settings().expect("settings");
    assert_eq!(stored.log_level, store::LogLevel::Debug);
    assert_eq!(stored.sip_listen, ["127.0.0.1:5070".parse().expect("addr")]);
    assert_eq!((stored.rtp_port_min, stored.rtp_port_max), (41000, 41999));
    assert_eq!(stored.admin_bind, "[::1]:9000".parse().expect("addr"));
    assert_eq!(
        h.ok("get_settings", json!({})).await["settings"],
        saved["settings"]
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_or_an_honest_not_built_page_is_served_at_the_root() {
    let h = Harness::start().await;
    let (status, content_type, body) = h.get("/").await;
    assert_eq!(status, 200);
    if api::ui_built() {
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(body.contains("<"), "an HTML page: {body}");
        // The UI's own pages get the same document, so a reload works anywhere.
        let (status, _, page) = h.get("/calls").await;
        assert_eq!((status, page), (200, body));
    } else {
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        assert!(body.contains("web UI was not built"), "{body}");
        assert!(body.contains("npm run build"), "{body}");
    }
    let (status, _, _) = h.get("/no-such-file.js").await;
    assert_eq!(status, 404);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_commands_wrong_methods_and_foreign_pages_are_refused() {
    let h = Harness::start().await;
    let error = h.refused("make_coffee", json!({}), 404).await;
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("make_coffee"),
        "{error}"
    );
    let (status, content_type, body) = h.get("/api/status").await;
    assert_eq!(status, 405, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );

    let (status, body) = h.post("/api/status", &[], "{not json".to_owned()).await;
    assert_eq!(status, 400, "{body}");

    // A page from another site in the owner's browser cannot use the API.
    let (status, body) = h
        .post(
            "/api/add_extension",
            &[("origin", "https://evil.example")],
            json!({"number": "299", "name": "Mallory"}).to_string(),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(h.store().extension("299").expect("query").is_none());
    let (status, _) = h
        .post(
            "/api/status",
            &[("origin", &format!("http://{}", h.addr))],
            String::new(),
        )
        .await;
    assert_eq!(status, 200);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_pages_refuse_to_listen_beyond_this_computer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = engine::Config {
        data_dir: dir.path().to_path_buf(),
        listen: vec!["127.0.0.1:0".parse().expect("addr")],
        tls_listen: Vec::new(),
        rtp_ports: 41000..=41999,
        realm: common::REALM.to_owned(),
    };
    let engine = common::start_engine(&config).await;
    for bind in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080"] {
        let result = api::serve(
            api::ApiConfig::new(bind.parse().expect("addr"), config.clone()),
            engine.handle.clone(),
        )
        .await;
        match result {
            Err(e @ api::ApiError::NotLoopback(_)) => {
                let message = e.to_string();
                assert!(message.contains("127.0.0.1"), "{message}");
                assert!(message.contains("login"), "{message}");
            }
            Err(other) => panic!("{bind}: wrong error {other}"),
            Ok(_) => panic!("{bind} was served"),
        }
    }
    engine.handle.shutdown().await;
    engine.wait().await;
}
