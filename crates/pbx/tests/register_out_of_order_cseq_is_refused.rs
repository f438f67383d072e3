//! RFC 3261 §10.3 step 7: within one Call-ID a REGISTER must have a higher CSeq than the
//! one that last wrote the binding; a new Call-ID (a rebooted phone) always may.

mod registrar_support;

use registrar_support::*;

#[test]
fn reordered_register_cannot_undo_a_newer_one() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    // Keep a copy of the phone's state, then let it refresh twice.
    let mut delayed = phone.clone();
    clock.advance(10);
    assert_eq!(phone.send(&mut reg, &clock, Some(600)).response.status, 200);
    clock.advance(10);
    assert_eq!(phone.send(&mut reg, &clock, Some(600)).response.status, 200);
    // The delayed copy says "unregister" with a CSeq below the last one seen.
    delayed.nc = 5;
    let out = delayed.send(&mut reg, &clock, Some(0));
    assert!(delayed.cseq < phone.cseq);
    assert_eq!(out.response.status, 400);
    assert!(out.changes.is_empty());
    assert_eq!(reg.lookup("100", clock.now()).len(), 1);
}

#[test]
fn same_cseq_again_is_refused_but_a_new_call_id_is_accepted() {
    let mut clock = Clock::new();
    let mut reg = registrar(clock.now());
    let mut phone = Phone::alice();
    assert_eq!(
        phone.register(&mut reg, &clock, Some(600)).response.status,
        200
    );
    clock.advance(10);
    let mut replay = phone.clone();
    replay.cseq -= 1; // the next request reuses the CSeq that bound
    let out = replay.send(&mut reg, &clock, Some(300));
    assert_eq!(out.response.status, 400);
    assert_eq!(
        reg.lookup("100", clock.now())[0].remaining_secs(clock.now()),
        590
    );

    // After a reboot the phone starts over with a new Call-ID and CSeq 1.
    let mut rebooted = Phone::alice();
    rebooted.call_id = "rebooted@phone".into();
    let out = rebooted.register(&mut reg, &clock, Some(300));
    assert_eq!(out.response.status, 200);
    let b = reg.lookup("100", clock.now());
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].call_id, "rebooted@phone");
    assert_eq!(b[0].remaining_secs(clock.now()), 300);
}
