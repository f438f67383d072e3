//! Conference rooms are added with an optional PIN (never shown again), renamed, given or
//! relieved of a PIN, and removed; a number already used by an extension is refused on the
//! number field; every change is pushed to the screens as `conference_changed`; muting or
//! removing a participant who is not in a room is refused.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_are_added_edited_and_removed() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let mut ws = h.ws().await;

    let refused = h
        .refused(
            "add_conference_room",
            json!({"number": "201", "name": "Board"}),
            422,
        )
        .await;
    assert!(refused["fields"]["number"].is_string(), "{refused}");
    let refused = h
        .refused(
            "add_conference_room",
            json!({"number": "800", "name": "Board", "pin": "12"}),
            422,
        )
        .await;
    assert!(refused["fields"]["pin"].is_string(), "{refused}");

    let added = h
        .ok(
            "add_conference_room",
            json!({"number": "800", "name": "Board", "pin": "4711"}),
        )
        .await;
    assert_eq!(
        added["room"],
        json!({"number": "800", "name": "Board", "has_pin": true})
    );
    let event = ws.event("conference_changed").await;
    assert_eq!(event["room"], "800");
    assert!(!added.to_string().contains("4711"));

    let list = h.ok("list_conference_rooms", json!({})).await;
    assert_eq!(list["rooms"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["participants"], json!([]));

    let edited = h
        .ok(
            "edit_conference_room",
            json!({"number": "800", "name": "Board room", "remove_pin": true}),
        )
        .await;
    assert_eq!(edited["room"]["has_pin"], false);
    assert_eq!(edited["room"]["name"], "Board room");
    let kept = h
        .ok(
            "edit_conference_room",
            json!({"number": "800", "name": "Board room", "pin": "9911"}),
        )
        .await;
    assert_eq!(kept["room"]["has_pin"], true);

    // The extension's number is taken by the room now.
    let (status, body) = h
        .call("add_extension", json!({"number": "800", "name": "Carol"}))
        .await;
    assert_eq!(status, 422, "{body}");

    h.refused("mute_participant", json!({"id": 99, "muted": true}), 404)
        .await;
    h.refused("remove_participant", json!({"id": 99}), 404)
        .await;

    h.ok("remove_conference_room", json!({"number": "800"}))
        .await;
    let list = h.ok("list_conference_rooms", json!({})).await;
    assert_eq!(list["rooms"], json!([]));
    h.refused("remove_conference_room", json!({"number": "800"}), 404)
        .await;
    h.stop().await;
}
