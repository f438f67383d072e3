//! Over the WebSocket: commands are answered with their request's id, mistakes come back
//! as errors with that id, and registrations, calls and extension changes arrive as events
//! without asking.

mod common;

use common::{Harness, Phone};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_answered_with_their_ids() {
    let h = Harness::start().await;
    let mut ws = h.ws().await;
    ws.send(7, "status", json!({})).await;
    let answer = ws.answer(7).await;
    assert_eq!(answer["ok"]["running"], true, "{answer}");

    ws.send(
        8,
        "add_extension",
        json!({"number": "201", "name": "Alice"}),
    )
    .await;
    let answer = ws.answer(8).await;
    assert_eq!(answer["ok"]["extension"]["number"], "201", "{answer}");
    assert!(answer["ok"]["password"].is_string());

    // The request may be left out for commands without input.
    ws.send_text(json!({"id": 9, "command": "list_extensions"}).to_string())
        .await;
    let answer = ws.answer(9).await;
    assert_eq!(answer["ok"]["extensions"][0]["name"], "Alice", "{answer}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_the_id_and_the_refused_fields() {
    let h = Harness::start().await;
    let mut ws = h.ws().await;
    ws.send(1, "add_extension", json!({"number": "2", "name": "Alice"}))
        .await;
    let answer = ws.answer(1).await;
    assert_eq!(
        answer["error"]["fields"]["number"], "must be 2 to 10 digits",
        "{answer}"
    );
    assert!(answer.get("ok").is_none());
    assert!(h.store().extensions().expect("list").is_empty());

    ws.send(2, "no_such_command", json!({})).await;
    let answer = ws.answer(2).await;
    assert!(answer["error"]["message"]
        .as_str()
        .expect("message")
        .contains("no_such_command"));

    // A message that is not a command still gets an answer, with its id when it has one.
    ws.send_text(json!({"id": 3, "request": {}}).to_string())
        .await;
    let answer = ws.answer(3).await;
    assert!(answer["error"]["message"].is_string(), "{answer}");
    ws.send_text("not json".to_owned()).await;
    let answer = ws
        .wait_for("an error without id", |m| {
            m["id"].is_null() && m["error"].is_object()
        })
        .await;
    assert!(answer["error"]["message"].is_string());

    // The connection still works after all that.
    ws.send(4, "status", json!({})).await;
    assert_eq!(ws.answer(4).await["ok"]["running"], true);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_registering_and_signing_off_is_pushed_to_every_connection() {
    let h = Harness::start().await;
    let mut first = h.ws().await;
    let mut second = h.ws().await;
    // An extension added through the API shows up on the other connection.
    let password = h.add_extension("201", "Alice").await;
    for ws in [&mut first, &mut second] {
        let event = ws.event("extensions_changed").await;
        assert_eq!(event["number"], "201");
    }
    second.send(1, "list_extensions", json!({})).await;
    assert_eq!(
        second.answer(1).await["ok"]["extensions"][0]["number"],
        "201"
    );

    let mut phone = Phone::new(h.sip, "201", &password).await;
    assert_eq!(phone.register(300).await, 200);
    for ws in [&mut first, &mut second] {
        let event = ws.event("registration_changed").await;
        assert_eq!(event["extension"], "201");
        assert_eq!(event["registered"], true);
        assert_eq!(event["address"], phone.addr().to_string());
        assert_eq!(event["transport"], "udp");
        assert_eq!(event["user_agent"], "ApiTestPhone/1.0");
        assert_eq!(event["contact"], format!("sip:201@{}", phone.addr()));
    }

    assert_eq!(phone.register(0).await, 200);
    let event = first.event("registration_changed").await;
    assert_eq!(event["registered"], false);
    assert_eq!(event["reason"], "unregistered");
    assert!(event["address"].is_null());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_ringing_and_hung_up_from_the_api_is_pushed() {
    let h = Harness::start().await;
    let alice_pw = h.add_extension("201", "Alice").await;
    let bob_pw = h.add_extension("202", "Bob").await;
    let mut alice = Phone::new(h.sip, "201", &alice_pw).await;
    let mut bob = Phone::new(h.sip, "202", &bob_pw).await;
    assert_eq!(alice.register(300).await, 200);
    assert_eq!(bob.register(300).await, 200);
    let mut ws = h.ws().await;

    let call_id = alice.call("202").await;
    let ringing = ws.event("call_ringing").await;
    assert_eq!(
        ringing,
        json!({"type": "call_ringing", "call_id": call_id, "caller": "201", "callee": "202",
               "caller_name": "Alice", "business_name": null})
    );
    bob.next_request("INVITE").await;

    ws.send(1, "hang_up", json!({"call_id": call_id})).await;
    // The answer and the event may come in either order.
    let (mut answer, mut ended) = (None, None);
    while answer.is_none() || ended.is_none() {
        let message = ws.next().await.expect("connection open");
        if message["id"] == 1 {
            answer = Some(message);
        } else if message["event"]["type"] == "call_ended" {
            ended = Some(message["event"].clone());
        }
    }
    assert_eq!(
        ended,
        Some(json!({"type": "call_ended", "call_id": call_id, "outcome": "cancelled"}))
    );
    assert_eq!(answer.map(|a| a["ok"].clone()), Some(json!({})));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_server_closes_the_websockets() {
    let mut h = Harness::start().await;
    let mut ws = h.ws().await;
    ws.send(1, "status", json!({})).await;
    ws.answer(1).await;
    let api = h.api.take().expect("api");
    api.shutdown().await;
    assert!(ws.next().await.is_none(), "the connection is closed");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_from_another_site_cannot_open_the_websocket() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let h = Harness::start().await;
    let mut request = format!("ws://{}/api/ws", h.addr)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "origin",
        "https://evil.example".parse().expect("header value"),
    );
    let result = tokio_tungstenite::connect_async(request).await;
    match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 403);
        }
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a foreign page opened the WebSocket"),
    }
    h.stop().await;
}
