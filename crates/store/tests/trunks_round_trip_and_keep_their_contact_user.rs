//! A trunk reads back exactly as saved, in both authentication modes; a new registration
//! trunk without a contact user gets an unguessable one, which later saves keep.

use pbx::dialplan::{Destination, TrunkAuth};
use store::{Error, CONTACT_USER_LEN};

mod common;

fn contact_user(auth: &TrunkAuth) -> &str {
    match auth {
        TrunkAuth::Registration { contact_user, .. } => contact_user,
        TrunkAuth::Ip { .. } => panic!("expected a registration trunk"),
    }
}

#[test]
fn a_registration_trunk_reads_back_as_saved() {
    let (_dir, store) = common::store();
    let mut trunk = common::registration_trunk("Provider", "office7x");
    let id = store.save_trunk(&trunk).expect("save");
    assert_ne!(id, 0);
    trunk.id = id;
    assert_eq!(store.trunk(id).expect("read"), Some(trunk.clone()));
    assert_eq!(store.trunks().expect("list"), vec![trunk]);
}

#[test]
fn an_ip_trunk_reads_back_as_saved_with_its_allowed_addresses_in_order() {
    let (_dir, store) = common::store();
    let mut trunk = common::ip_trunk("Backup line");
    trunk.id = store.save_trunk(&trunk).expect("save");
    assert_eq!(store.trunk(trunk.id).expect("read"), Some(trunk));
}

#[test]
fn a_new_registration_trunk_gets_a_random_lower_case_contact_user() {
    let (_dir, store) = common::store();
    let first = store
        .save_trunk(&common::registration_trunk("One", ""))
        .expect("save one");
    let second = store
        .save_trunk(&common::registration_trunk("Two", ""))
        .expect("save two");
    let one = store.trunk(first).expect("read").expect("exists");
    let two = store.trunk(second).expect("read").expect("exists");
    let (a, b) = (contact_user(&one.auth), contact_user(&two.auth));
    assert!(a.len() >= 16 && a.len() == CONTACT_USER_LEN, "{a}");
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    assert_ne!(a, b, "each trunk gets its own");
}

#[test]
fn saving_a_trunk_again_without_a_contact_user_keeps_the_one_it_had() {
    let (_dir, store) = common::store();
    let id = store
        .save_trunk(&common::registration_trunk("Provider", ""))
        .expect("save");
    let stored = store.trunk(id).expect("read").expect("exists");
    let generated = contact_user(&stored.auth).to_owned();

    let mut edited = common::registration_trunk("Provider renamed", "");
    edited.id = id;
    assert_eq!(store.save_trunk(&edited).expect("save again"), id);
    let after = store.trunk(id).expect("read").expect("exists");
    assert_eq!(after.name, "Provider renamed");
    assert_eq!(contact_user(&after.auth), generated);
    assert_eq!(store.trunks().expect("list").len(), 1, "updated, not added");
}

#[test]
fn a_trunk_can_change_authentication_mode() {
    let (_dir, store) = common::store();
    let id = store
        .save_trunk(&common::registration_trunk("Provider", "abc"))
        .expect("save");
    let mut ip = common::ip_trunk("Provider");
    ip.id = id;
    store.save_trunk(&ip).expect("switch to IP");
    assert_eq!(store.trunk(id).expect("read"), Some(ip));
}

#[test]
fn two_trunks_cannot_share_a_contact_user() {
    let (_dir, store) = common::store();
    store
        .save_trunk(&common::registration_trunk("One", "samecontact"))
        .expect("first");
    let err = store
        .save_trunk(&common::registration_trunk("Two", "samecontact"))
        .expect_err("second refused");
    let fields = err.validation().expect("a field error");
    assert!(fields.get("contact_user").is_some(), "{err}");
    assert_eq!(store.trunks().expect("list").len(), 1);
}

#[test]
fn a_contact_user_that_would_need_escaping_in_a_uri_is_refused() {
    let (_dir, store) = common::store();
    for bad in ["office 7", "a@b", "x>y", &"a".repeat(65)] {
        let err = store
            .save_trunk(&common::registration_trunk("Provider", bad))
            .expect_err(bad);
        assert!(
            err.validation()
                .and_then(|v| v.get("contact_user"))
                .is_some(),
            "{bad}: {err}"
        );
    }
    assert!(store.trunks().expect("list").is_empty());
    store
        .save_trunk(&common::registration_trunk(
            "Provider",
            "Office_7.main-line",
        ))
        .expect("letters, digits, dot, dash, underscore");
}

#[test]
fn saving_an_unknown_trunk_id_is_not_found() {
    let (_dir, store) = common::store();
    let mut trunk = common::ip_trunk("Ghost");
    trunk.id = 42;
    assert!(matches!(store.save_trunk(&trunk), Err(Error::NotFound(_))));
    assert!(store.trunks().expect("list").is_empty());
}

#[test]
fn destinations_that_name_nothing_are_refused() {
    let (_dir, store) = common::store();
    let mut trunk = common::ip_trunk("Provider");
    trunk.overflow = Some(Destination::RingGroup("600".to_owned()));
    let err = store.save_trunk(&trunk).expect_err("unknown group");
    assert!(
        err.validation().and_then(|v| v.get("overflow")).is_some(),
        "{err}"
    );

    let mut trunk = common::ip_trunk("Provider");
    trunk.default_destination = Destination::Extension("201".to_owned());
    let err = store.save_trunk(&trunk).expect_err("unknown extension");
    let message = err
        .validation()
        .and_then(|v| v.get("default_destination"))
        .expect("default_destination refused");
    assert!(message.contains("201"), "{message}");

    common::extensions(&store, &["201"]);
    store.save_trunk(&trunk).expect("now it exists");
}

#[test]
fn removing_a_trunk_deletes_it_and_an_unknown_one_is_not_found() {
    let (_dir, store) = common::store();
    let id = store
        .save_trunk(&common::ip_trunk("Provider"))
        .expect("save");
    store.remove_trunk(id).expect("remove");
    assert_eq!(store.trunk(id).expect("read"), None);
    assert!(matches!(store.remove_trunk(id), Err(Error::NotFound(_))));
}
