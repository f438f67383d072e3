//! A desktop window can use the same commands and events without going through HTTP.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_and_subscriptions_go_through_the_same_router() {
    let h = Harness::start().await;
    let api = h.api.as_ref().expect("api");
    let mut events = api.subscribe();

    let added = api
        .call("add_extension", json!({"number": "201", "name": "Alice"}))
        .await
        .expect("added");
    assert_eq!(added["extension"]["number"], "201");
    let event = tokio::time::timeout(common::PATIENCE, events.recv())
        .await
        .expect("an event in time")
        .expect("event");
    assert_eq!(
        event,
        api::Event::ExtensionsChanged {
            number: "201".to_owned()
        }
    );

    let refused = api
        .call("add_extension", json!({"number": "201", "name": "Bob"}))
        .await
        .expect_err("duplicate");
    let fields = refused.fields.expect("field errors");
    assert!(fields["number"].contains("already exists"), "{fields:?}");
    assert_eq!(
        h.store().extension("201").expect("q").expect("e").name,
        "Alice"
    );
    h.stop().await;
}
