//! Removing a trunk, ring group, schedule or extension that something still points at is
//! refused with a message naming both, and changes nothing; once nothing points at it, it
//! can go.

use pbx::dialplan::{Destination, OutboundRoute, RingGroup, RingMember, RingStrategy, Schedule};
use store::{Error, Store};

mod common;

fn group(number: &str, members: &[&str], final_destination: Option<Destination>) -> RingGroup {
    RingGroup {
        number: number.to_owned(),
        name: format!("Group {number}"),
        strategy: RingStrategy::All,
        members: members
            .iter()
            .map(|n| RingMember {
                number: (*n).to_owned(),
                ring_seconds: 20,
            })
            .collect(),
        final_destination,
    }
}

fn hours(open: Destination) -> Schedule {
    Schedule {
        id: 0,
        name: "Office".to_owned(),
        time_zone: "Europe/London".to_owned(),
        periods: Vec::new(),
        holidays: Vec::new(),
        open,
        closed: Destination::Hangup,
    }
}

/// The `(what, by)` of an in-use refusal.
fn in_use(result: store::Result<()>) -> (String, String) {
    match result {
        Err(Error::InUse { what, by }) => (what, by),
        Err(other) => panic!("expected InUse, got {other}"),
        Ok(()) => panic!("removal was not refused"),
    }
}

fn setup() -> (tempfile::TempDir, Store) {
    let (dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    (dir, store)
}

#[test]
fn a_trunk_used_by_a_business_name_stays() {
    let (_dir, store) = setup();
    let trunk = store
        .save_trunk(&common::ip_trunk("Provider"))
        .expect("trunk");
    let name = common::business_name("sales.acme", "+44", Some(trunk), Destination::Hangup);
    let name_id = store.save_business_name(&name).expect("name");
    let (what, by) = in_use(store.remove_trunk(trunk));
    assert_eq!(what, "trunk \"Provider\"");
    assert!(by.contains("business name sales.acme"), "{by}");
    assert!(store.trunk(trunk).expect("read").is_some());

    store
        .remove_business_name(name_id)
        .expect("remove the name");
    store.remove_trunk(trunk).expect("now it can go");
}

#[test]
fn a_trunk_used_by_an_outbound_route_stays() {
    let (_dir, store) = setup();
    let trunk = store
        .save_trunk(&common::ip_trunk("Provider"))
        .expect("trunk");
    store
        .save_outbound_routes(&[OutboundRoute {
            id: 0,
            name: "Everything".to_owned(),
            patterns: vec!["0.".to_owned()],
            strip: 0,
            prepend: String::new(),
            trunks: vec![trunk],
        }])
        .expect("route");
    let (_, by) = in_use(store.remove_trunk(trunk));
    assert!(by.contains("outbound route \"Everything\""), "{by}");
    store.save_outbound_routes(&[]).expect("clear routes");
    store.remove_trunk(trunk).expect("now it can go");
}

#[test]
fn a_ring_group_used_as_a_destination_stays() {
    let (_dir, store) = setup();
    store
        .save_ring_group(None, &group("600", &["201"], None))
        .expect("group");
    let mut trunk = common::ip_trunk("Provider");
    trunk.overflow = Some(Destination::RingGroup("600".to_owned()));
    store.save_trunk(&trunk).expect("trunk");
    store
        .save_schedule(&hours(Destination::RingGroup("600".to_owned())))
        .expect("schedule");
    let (what, by) = in_use(store.remove_ring_group("600"));
    assert!(what.contains("ring group 600"), "{what}");
    assert!(by.contains("trunk \"Provider\" (overflow)"), "{by}");
    assert!(by.contains("business hours \"Office\""), "{by}");
    assert!(store.ring_group("600").expect("read").is_some());
}

#[test]
fn a_ring_group_that_is_a_member_of_another_stays() {
    let (_dir, store) = setup();
    store
        .save_ring_group(None, &group("600", &["201"], None))
        .expect("inner");
    store
        .save_ring_group(None, &group("601", &["600", "202"], None))
        .expect("outer");
    let (_, by) = in_use(store.remove_ring_group("600"));
    assert_eq!(by, "ring group 601");

    store
        .save_ring_group(Some("601"), &group("601", &["202"], None))
        .expect("drop the member");
    store.remove_ring_group("600").expect("now it can go");
    assert_eq!(store.ring_groups().expect("list").len(), 1);
}

#[test]
fn a_ring_group_whose_final_destination_is_itself_can_go() {
    let (_dir, store) = setup();
    store
        .save_ring_group(None, &group("600", &["201"], None))
        .expect("group");
    let looping = group(
        "600",
        &["201"],
        Some(Destination::RingGroup("600".to_owned())),
    );
    store
        .save_ring_group(Some("600"), &looping)
        .expect("self loop");
    store
        .remove_ring_group("600")
        .expect("only itself refers to it");
}

#[test]
fn a_schedule_used_as_a_destination_stays() {
    let (_dir, store) = setup();
    let id = store
        .save_schedule(&hours(Destination::Extension("201".to_owned())))
        .expect("schedule");
    let name = common::business_name("sales.acme", "+44", None, Destination::Hours(id));
    let name_id = store.save_business_name(&name).expect("name");
    let (what, by) = in_use(store.remove_schedule(id));
    assert_eq!(what, "business hours \"Office\"");
    assert_eq!(by, "business name sales.acme");
    assert!(store.schedule(id).expect("read").is_some());
    store.remove_business_name(name_id).expect("remove name");
    store.remove_schedule(id).expect("now it can go");
}

#[test]
fn an_extension_in_a_ring_group_or_a_destination_stays() {
    let (_dir, store) = setup();
    store
        .save_ring_group(None, &group("600", &["201"], None))
        .expect("group");
    let name = common::business_name(
        "support.acme",
        "+44",
        None,
        Destination::Voicemail("202".to_owned()),
    );
    store.save_business_name(&name).expect("name");
    let (what, by) = in_use(store.remove_extension("201"));
    assert_eq!(what, "extension 201");
    assert_eq!(by, "ring group 600");
    let (_, by) = in_use(store.remove_extension("202"));
    assert_eq!(by, "business name support.acme");
    assert_eq!(store.extensions().expect("list").len(), 2);
}
