//! The toll limits travel with the outbound routes: saved, listed, kept when a save leaves
//! them out, and a bad pattern or a missing schedule refused on its own field.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn toll_limits_are_saved_with_the_outbound_routes_and_refused_per_field() {
    let h = Harness::start().await;
    let listed = h.ok("list_outbound_routes", json!({})).await;
    assert_eq!(
        listed["toll_limits"],
        json!({"allowed_destinations": [], "max_outbound_calls": 0,
               "max_outbound_per_extension": 0, "after_hours_schedule": null})
    );

    let limits = json!({"allowed_destinations": ["+44.", " 0[1-9]. ", ""], "max_outbound_calls": 4,
                        "max_outbound_per_extension": 1, "after_hours_schedule": null});
    let saved = h
        .ok(
            "save_outbound_routes",
            json!({"routes": [], "toll_limits": limits}),
        )
        .await;
    assert_eq!(
        saved["toll_limits"]["allowed_destinations"],
        json!(["+44.", "0[1-9]."])
    );
    let stored = h.store().toll_limits().expect("limits");
    assert_eq!(stored.max_outbound_per_extension, 1);
    assert_eq!(stored.max_outbound_calls, 4);

    // Left out: kept as they are.
    h.ok("save_outbound_routes", json!({"routes": []})).await;
    let listed = h.ok("list_outbound_routes", json!({})).await;
    assert_eq!(listed["toll_limits"]["max_outbound_calls"], 4);

    let bad = json!({"routes": [], "toll_limits": {
        "allowed_destinations": ["+44.", "0[9-"], "max_outbound_calls": 0,
        "max_outbound_per_extension": 0, "after_hours_schedule": 77}});
    let error = h.refused("save_outbound_routes", bad, 422).await;
    for field in [
        "toll_limits.allowed_destinations.1",
        "toll_limits.after_hours_schedule",
    ] {
        assert!(
            error["fields"][field]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "no message for {field} in {error}"
        );
    }
    assert_eq!(h.store().toll_limits().expect("limits"), stored);
}
