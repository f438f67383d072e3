//! A ring group reads back with its members in the order given; saving it again replaces
//! the list; a new number carries every reference along; numbers and members are checked.

use pbx::dialplan::{Destination, RingGroup, RingMember, RingStrategy};
use store::Error;

mod common;

fn group(number: &str, members: &[(&str, u32)]) -> RingGroup {
    RingGroup {
        number: number.to_owned(),
        name: format!("Group {number}"),
        strategy: RingStrategy::InOrder,
        members: members
            .iter()
            .map(|(n, s)| RingMember {
                number: (*n).to_owned(),
                ring_seconds: *s,
            })
            .collect(),
        final_destination: Some(Destination::Voicemail("201".to_owned())),
    }
}

#[test]
fn members_read_back_in_the_order_given() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202", "203"]);
    let g = group("600", &[("203", 10), ("201", 20), ("202", 5)]);
    store.save_ring_group(None, &g).expect("save");
    assert_eq!(store.ring_group("600").expect("read"), Some(g.clone()));
    assert_eq!(store.ring_groups().expect("list"), vec![g]);
}

#[test]
fn saving_again_replaces_members_and_settings() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202", "203"]);
    store
        .save_ring_group(None, &group("600", &[("201", 10), ("202", 10)]))
        .expect("save");
    let mut edited = group("600", &[("203", 15), ("201", 30)]);
    edited.strategy = RingStrategy::All;
    edited.final_destination = None;
    store.save_ring_group(Some("600"), &edited).expect("edit");
    assert_eq!(store.ring_groups().expect("list"), vec![edited]);
}

#[test]
fn a_nested_group_is_a_valid_member() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    store
        .save_ring_group(None, &group("601", &[("202", 10)]))
        .expect("inner");
    let outer = group("600", &[("201", 10), ("601", 20)]);
    store.save_ring_group(None, &outer).expect("outer");
    assert_eq!(store.ring_group("600").expect("read"), Some(outer));
}

#[test]
fn a_new_number_carries_every_reference_along() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    store
        .save_ring_group(None, &group("600", &[("201", 10)]))
        .expect("group");
    store
        .save_ring_group(None, &group("601", &[("600", 10)]))
        .expect("group containing 600");
    let name = common::business_name(
        "sales.acme",
        "+44",
        None,
        Destination::RingGroup("600".to_owned()),
    );
    store.save_business_name(&name).expect("name");

    let renumbered = group("650", &[("201", 10)]);
    store
        .save_ring_group(Some("600"), &renumbered)
        .expect("renumber");
    assert_eq!(store.ring_group("600").expect("read"), None);
    assert_eq!(store.ring_group("650").expect("read"), Some(renumbered));
    let names = store.business_names().expect("names");
    assert_eq!(
        names[0].destination,
        Destination::RingGroup("650".to_owned())
    );
    let outer = store.ring_group("601").expect("read").expect("exists");
    assert_eq!(outer.members[0].number, "650");
}

#[test]
fn numbers_taken_or_malformed_are_refused() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let err = store
        .save_ring_group(None, &group("201", &[]))
        .expect_err("an extension's number");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
    let err = store
        .save_ring_group(None, &group("6a", &[]))
        .expect_err("not digits");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );

    store
        .save_ring_group(None, &group("600", &[]))
        .expect("first");
    let err = store
        .save_ring_group(None, &group("600", &[]))
        .expect_err("second with the same number");
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = store
        .create_extension("600", "Clash", "switchboard", common::NOW)
        .err()
        .expect("an extension cannot take a group's number");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
}

#[test]
fn unknown_members_and_the_group_itself_are_refused() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let err = store
        .save_ring_group(None, &group("600", &[("201", 10), ("299", 10)]))
        .expect_err("unknown member");
    let message = err
        .validation()
        .and_then(|v| v.get("members"))
        .expect("members");
    assert!(message.contains("299"), "{message}");
    assert_eq!(store.ring_group("600").expect("read"), None);

    store
        .save_ring_group(None, &group("600", &[("201", 10)]))
        .expect("save");
    let err = store
        .save_ring_group(Some("600"), &group("600", &[("600", 10)]))
        .expect_err("itself");
    assert!(err.to_string().contains("itself"), "{err}");
    let unchanged = store.ring_group("600").expect("read").expect("exists");
    assert_eq!(unchanged.members[0].number, "201");
}

#[test]
fn editing_a_group_that_does_not_exist_is_not_found() {
    let (_dir, store) = common::store();
    let err = store
        .save_ring_group(Some("600"), &group("600", &[]))
        .expect_err("missing");
    assert!(matches!(err, Error::NotFound(_)), "{err}");
}
