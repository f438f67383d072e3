//! The desktop window shows its own copy of the UI (origin `tauri://localhost`), so its
//! HTTP calls to the API are cross-origin: the API grants that origin CORS permission,
//! and no other.

mod common;

use common::Harness;

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktop_origin_gets_cors_permission_and_others_do_not() {
    let h = Harness::start().await;

    // The preflight a JSON POST needs.
    let (status, headers) = h
        .headers_of(
            "OPTIONS",
            "/api/status",
            &[
                ("origin", "tauri://localhost"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type"),
            ],
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("tauri://localhost")
    );
    assert!(header(&headers, "access-control-allow-methods").is_some_and(|m| m.contains("POST")));
    assert!(header(&headers, "access-control-allow-headers")
        .is_some_and(|m| m.contains("content-type")));

    // The call itself.
    let (status, headers) = h
        .headers_of("POST", "/api/status", &[("origin", "tauri://localhost")])
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("tauri://localhost")
    );

    // The page's own origin needs no permission, and none is granted.
    let own = format!("http://{}", h.addr);
    let (status, headers) = h
        .headers_of("POST", "/api/status", &[("origin", own.as_str())])
        .await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);

    // Another site is refused outright, preflight included.
    let (status, headers) = h
        .headers_of(
            "OPTIONS",
            "/api/status",
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(header(&headers, "access-control-allow-origin"), None);
    h.stop().await;
}
