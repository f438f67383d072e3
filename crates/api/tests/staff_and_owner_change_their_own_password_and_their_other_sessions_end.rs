//! `POST /api/auth/password`: a logged-in staff member or owner changes their own web
//! password. The current password is asked again, the new one is strength-checked like
//! the owner's login, the user's other sessions end while this one goes on, and the old
//! password no longer logs in. At this computer (no login) it is refused.

mod common;
mod office_network;

use office_network::{Office, OWNER, OWNER_PASSWORD, STAFF, STAFF_PASSWORD};
use serde_json::json;

const PATH: &str = "auth/password";

fn body(current: &str, new: &str) -> String {
    json!({"current_password": current, "new_password": new}).to_string()
}

#[tokio::test]
async fn staff_change_their_password_after_proving_the_current_one() {
    let office = Office::start().await;
    let here = office.login(STAFF, STAFF_PASSWORD).await;
    let elsewhere = office.login(STAFF, STAFF_PASSWORD).await;

    let wrong = office
        .command(
            &here,
            PATH,
            &body("not-my-password-9", "blue-river-stone-88"),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(
        wrong.json()["error"]["fields"]["current_password"].is_string(),
        "{}",
        wrong.body
    );
    for weak in ["short", "password12", "my-201-phone-x"] {
        let refused = office
            .command(&here, PATH, &body(STAFF_PASSWORD, weak))
            .await;
        assert_eq!(refused.status, 422, "{weak}: {}", refused.body);
        assert!(
            refused.json()["error"]["fields"]["new_password"].is_string(),
            "{weak}: {}",
            refused.body
        );
    }
    // Nothing changed so far: the other browser is still logged in.
    assert_eq!(office.command(&elsewhere, "status", "{}").await.status, 200);

    let changed = office
        .command(&here, PATH, &body(STAFF_PASSWORD, "blue-river-stone-88"))
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(
        office.command(&elsewhere, "status", "{}").await.status,
        401,
        "the other session ended"
    );
    assert_eq!(
        office.command(&here, "status", "{}").await.status,
        200,
        "this session goes on"
    );
    assert_eq!(office.try_login(STAFF, STAFF_PASSWORD).await.status, 401);
    office.login(STAFF, "blue-river-stone-88").await;
    office.stop().await;
}

#[tokio::test]
async fn the_owner_changes_theirs_and_this_computer_is_sent_to_admin_access() {
    let office = Office::start().await;
    let owner = office.login(OWNER, OWNER_PASSWORD).await;
    let changed = office
        .command(
            &owner,
            PATH,
            &body(OWNER_PASSWORD, "quiet-orange-harbour-3"),
        )
        .await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    assert_eq!(office.try_login(OWNER, OWNER_PASSWORD).await.status, 401);
    office.login(OWNER, "quiet-orange-harbour-3").await;

    let local = office
        .request(
            office.local,
            "POST",
            "/api/auth/password",
            &[],
            &body("quiet-orange-harbour-3", "another-long-pass-77"),
        )
        .await;
    assert_eq!(local.status, 422, "{}", local.body);
    office.stop().await;
}
