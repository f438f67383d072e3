//! Opened to the office network, the admin pages let a browser on another computer in only
//! with a login: 401 without a session, 403 without the session's CSRF token, the same
//! answer for an unknown user and a wrong password, a lockout after five failures, sessions
//! that end after eight idle hours and at logout. This computer needs no login.

mod common;
mod office_network;

use std::time::Duration;

use office_network::{Office, OWNER, OWNER_PASSWORD, STAFF, STAFF_PASSWORD};

#[tokio::test]
async fn a_request_from_the_network_without_a_session_gets_401_and_this_computer_needs_none() {
    let office = Office::start().await;
    let from_network = office
        .request(office.lan, "POST", "/api/list_extensions", &[], "{}")
        .await;
    assert_eq!(from_network.status, 401, "{}", from_network.body);
    assert_eq!(from_network.message(), "log in first");
    let socket = office.request(office.lan, "GET", "/api/ws", &[], "").await;
    assert_eq!(socket.status, 401);

    let here = office
        .request(office.local, "POST", "/api/list_extensions", &[], "{}")
        .await;
    assert_eq!(here.status, 200, "{}", here.body);
    assert_eq!(here.json()["extensions"].as_array().map(Vec::len), Some(2));

    let session = office
        .request(office.lan, "GET", "/api/auth/session", &[], "")
        .await;
    assert_eq!(session.json()["login_required"], true);
    assert!(session.json()["user"].is_null());
    office.stop().await;
}

#[tokio::test]
async fn the_owner_logs_in_sends_the_csrf_token_and_logs_out() {
    let office = Office::start().await;
    let wrong = office.try_login(OWNER, "not-the-password-1").await;
    let unknown = office.try_login("nobody", OWNER_PASSWORD).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (wrong.status, wrong.body.as_str()),
        "an unknown user and a wrong password are answered alike"
    );
    assert!(wrong.message().contains("wrong user name or password"));

    let answer = office.try_login(OWNER, OWNER_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let cookie = &answer.headers["set-cookie"];
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let id = cookie
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v)
        .unwrap_or_default();
    assert_eq!(id.len(), 64, "a 256-bit id in hex: {cookie}");
    assert_eq!(answer.json()["user"]["role"], "owner");
    assert_eq!(answer.json()["user"]["name"], OWNER);

    let login = office.login(OWNER, OWNER_PASSWORD).await;
    let ok = office.command(&login, "list_extensions", "{}").await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    let no_token = office
        .request(
            office.lan,
            "POST",
            "/api/list_extensions",
            &[("cookie", &login.cookie)],
            "{}",
        )
        .await;
    assert_eq!(no_token.status, 403, "{}", no_token.body);
    assert!(no_token.message().contains("CSRF"));
    let wrong_token = office
        .request(
            office.lan,
            "POST",
            "/api/list_extensions",
            &[("cookie", &login.cookie), ("x-csrf-token", &"0".repeat(64))],
            "{}",
        )
        .await;
    assert_eq!(wrong_token.status, 403);
    let other_site = office
        .request(
            office.lan,
            "POST",
            "/api/list_extensions",
            &[
                ("cookie", &login.cookie),
                ("x-csrf-token", &login.csrf),
                ("origin", "http://evil.example"),
            ],
            "{}",
        )
        .await;
    assert_eq!(other_site.status, 403);
    let socket_without_token = office
        .request(
            office.lan,
            "GET",
            "/api/ws",
            &[("cookie", &login.cookie)],
            "",
        )
        .await;
    assert_eq!(socket_without_token.status, 403);

    let out = office
        .request(
            office.lan,
            "POST",
            "/api/auth/logout",
            &[("cookie", &login.cookie), ("x-csrf-token", &login.csrf)],
            "",
        )
        .await;
    assert_eq!(out.status, 204);
    assert!(out.headers["set-cookie"].contains("Max-Age=0"));
    let after = office.command(&login, "list_extensions", "{}").await;
    assert_eq!(after.status, 401);
    office.stop().await;
}

#[tokio::test]
async fn five_failed_logins_lock_the_account_for_fifteen_minutes() {
    let office = Office::start().await;
    for _ in 0..5 {
        let answer = office.try_login(OWNER, "guess-guess-guess").await;
        assert_eq!(answer.status, 401);
    }
    let locked = office.try_login(OWNER, OWNER_PASSWORD).await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.message().contains("15 minutes"), "{}", locked.body);

    office
        .api()
        .advance_login_clock(Duration::from_secs(15 * 60));
    let answer = office.try_login(OWNER, OWNER_PASSWORD).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    office.stop().await;
}

#[tokio::test]
async fn a_session_ends_after_eight_idle_hours() {
    let office = Office::start().await;
    let login = office.login(OWNER, OWNER_PASSWORD).await;
    office
        .api()
        .advance_login_clock(Duration::from_secs(7 * 3600));
    let used = office.command(&login, "status", "{}").await;
    assert_eq!(used.status, 200, "a used session lives on");
    office
        .api()
        .advance_login_clock(Duration::from_secs(8 * 3600 + 1));
    let expired = office.command(&login, "status", "{}").await;
    assert_eq!(expired.status, 401);
    office.stop().await;
}

#[tokio::test]
async fn staff_are_refused_owner_commands_and_see_only_their_own_extension() {
    let office = Office::start().await;
    let staff = office.login(STAFF, STAFF_PASSWORD).await;
    for (command, request) in [
        ("add_extension", r#"{"number": "203", "name": "Cy"}"#),
        ("list_extensions", "{}"),
        ("get_settings", "{}"),
        ("set_staff_password", r#"{"number": "202"}"#),
        ("hang_up", r#"{"call_id": "x"}"#),
    ] {
        let answer = office.command(&staff, command, request).await;
        assert_eq!(answer.status, 403, "{command}: {}", answer.body);
    }
    let voicemail = office
        .command(&staff, "list_voicemail", r#"{"mailbox": "202"}"#)
        .await;
    assert_eq!(voicemail.status, 200, "{}", voicemail.body);
    let forwarding = office.command(&staff, "list_call_forwarding", "{}").await;
    assert_eq!(forwarding.status, 200, "{}", forwarding.body);
    let listed = forwarding.json();
    let numbers: Vec<&str> = listed["extensions"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["number"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(numbers, vec![STAFF], "only their own extension");
    let others = office
        .command(
            &staff,
            "save_call_forwarding",
            r#"{"forwarding": {"number": "202", "dnd": true}}"#,
        )
        .await;
    assert_eq!(others.status, 403, "{}", others.body);
    let greeting = office
        .request(
            office.lan,
            "GET",
            "/api/greetings/202",
            &[("cookie", &staff.cookie)],
            "",
        )
        .await;
    assert_eq!(greeting.status, 403);

    let session = office
        .request(
            office.lan,
            "GET",
            "/api/auth/session",
            &[("cookie", &staff.cookie)],
            "",
        )
        .await;
    assert_eq!(session.json()["user"]["role"], "staff");
    assert_eq!(session.json()["user"]["name"], STAFF);
    office.stop().await;
}

#[tokio::test]
async fn the_owner_sets_a_strong_password_and_gives_staff_a_web_password_once() {
    let office = Office::start().await;
    let owner = office.login(OWNER, OWNER_PASSWORD).await;
    let weak = office
        .command(
            &owner,
            "set_owner_login",
            r#"{"username": "boss", "password": "password1"}"#,
        )
        .await;
    assert_eq!(weak.status, 422, "{}", weak.body);
    assert!(weak.json()["error"]["fields"]["password"].is_string());

    let given = office
        .command(&owner, "set_staff_password", r#"{"number": "202"}"#)
        .await;
    assert_eq!(given.status, 200, "{}", given.body);
    let password = given.json()["password"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(password.len() >= 12, "{password}");
    let ben = office.try_login("202", &password).await;
    assert_eq!(ben.status, 200, "{}", ben.body);

    let access = office.command(&owner, "get_admin_access", "{}").await;
    assert_eq!(access.json()["owner_username"], OWNER);
    assert_eq!(access.json()["staff"], serde_json::json!(["201", "202"]));
    assert_eq!(access.json()["open_to_network"], true);
    assert!(!access.body.contains(&password), "never shown again");
    office.stop().await;
}
