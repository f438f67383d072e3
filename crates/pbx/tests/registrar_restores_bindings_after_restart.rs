//! What the registrar asks the store to save is enough to come back after a restart:
//! phones stay reachable, keep their remaining time, and expired rows are skipped.

mod registrar_support;

use std::collections::HashMap;

use pbx::registrar::{BindingChange, NextHop, PersistedBinding};
use registrar_support::*;

/// Applies changes the way the store does: rows keyed by (extension, key).
fn apply(table: &mut HashMap<(String, String), PersistedBinding>, changes: Vec<BindingChange>) {
    for change in changes {
        match change {
            BindingChange::Upsert { binding, .. } => {
                table.insert(
                    (binding.extension.clone(), binding.key().to_owned()),
                    binding,
                );
            }
            BindingChange::Remove { extension, key } => {
                table.remove(&(extension, key));
            }
            BindingChange::RemoveAll { extension } => table.retain(|(e, _), _| *e != extension),
        }
    }
}

#[test]
fn load_restores_live_bindings_with_their_remaining_time() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut table = HashMap::new();

    let mut alice = Phone::alice();
    let mut bob = Phone::new(
        "101",
        "bob-secret",
        "<sip:101@10.0.0.12:5060>",
        udp("203.0.113.50:41234"),
    );
    apply(
        &mut table,
        alice.register(&mut reg, &clock, Some(600)).changes,
    );
    apply(
        &mut table,
        bob.register(&mut reg, &clock, Some(120)).changes,
    );
    clock.advance(60);
    apply(&mut table, alice.send(&mut reg, &clock, Some(600)).changes);
    assert_eq!(table.len(), 2);

    // The process stops 100 s later; a new one starts with a fresh monotonic clock.
    clock.advance(100);
    let mut after = Clock::new();
    after.elapsed = clock.elapsed;
    let mut restarted = registrar(after.now());
    let loaded = restarted.load(after.now(), after.unix(), table.values().cloned());
    assert_eq!(loaded, 1, "bob's 120 s binding lapsed during the restart");

    let bindings = restarted.lookup("100", after.now());
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].contact, "sip:100@192.168.1.20:5060");
    assert_eq!(bindings[0].remaining_secs(after.now()), 500);
    assert!(restarted.lookup("101", after.now()).is_empty());
    assert_eq!(
        restarted.next_expiry(),
        Some(after.now() + std::time::Duration::from_secs(500))
    );
    assert_eq!(restarted.poll_event(), None);

    // The phone's next refresh (new nonce after the restart) updates the same row.
    let out = alice.register(&mut restarted, &after, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(contacts(&out.response).len(), 1);
    apply(&mut table, out.changes);
    assert_eq!(table.len(), 2, "bob's stale row is only deleted by a purge");
}

#[test]
fn load_keeps_nat_routing_and_instance_identity() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut table = HashMap::new();
    let mut bob = Phone::new(
        "101",
        "bob-secret",
        "<sip:101@10.0.0.12:5060>;+sip.instance=\"<urn:uuid:b0b>\"",
        udp("203.0.113.50:41234"),
    );
    apply(
        &mut table,
        bob.register(&mut reg, &clock, Some(600)).changes,
    );

    let mut restarted = registrar(clock.now());
    assert_eq!(
        restarted.load(clock.now(), clock.unix(), table.values().cloned()),
        1
    );
    let b = &restarted.lookup("101", clock.now())[0];
    assert_eq!(b.next_hop(), NextHop::Source(bob.source));
    assert_eq!(b.instance.as_deref(), Some("<urn:uuid:b0b>"));

    // Same device from a new address: replaces the restored binding.
    bob.contact = "<sip:101@10.0.0.99:5060>;+sip.instance=\"<urn:uuid:b0b>\"".into();
    let out = bob.register(&mut restarted, &clock, Some(600));
    assert_eq!(out.response.status, 200);
    assert_eq!(restarted.lookup("101", clock.now()).len(), 1);
}

#[test]
fn load_skips_extensions_that_no_longer_exist() {
    let clock = Clock::new();
    let mut reg = registrar(clock.now());
    let row = PersistedBinding {
        extension: "999".into(),
        contact: "sip:999@192.168.1.9".into(),
        instance: None,
        transport: pbx::registrar::Transport::Udp,
        source: "192.168.1.9:5060".parse().unwrap(),
        user_agent: None,
        expires_at: (clock.unix() + 600) as i64,
        call_id: "x".into(),
        cseq: 1,
        updated_at: clock.unix() as i64,
    };
    assert_eq!(reg.load(clock.now(), clock.unix(), [row]), 0);
    assert_eq!(reg.binding_count(), 0);
}
