//! `load_dial_plan` returns every saved part of the dial plan as the list accessors show
//! it, with the extensions allowed to call out and the emergency numbers; the setup flag
//! and emergency numbers are settings that survive a reopen.

use pbx::dialplan::{Destination, OutboundRoute, RingGroup, RingMember, RingStrategy, Schedule};
use store::{Store, DEFAULT_EMERGENCY_NUMBERS};

mod common;

#[test]
fn the_plan_holds_everything_saved() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202", "203"]);
    let trunk = store
        .save_trunk(&common::registration_trunk("Provider", ""))
        .expect("trunk");
    store
        .save_ring_group(
            None,
            &RingGroup {
                number: "600".to_owned(),
                name: "Sales".to_owned(),
                strategy: RingStrategy::InOrder,
                members: vec![
                    RingMember {
                        number: "202".to_owned(),
                        ring_seconds: 15,
                    },
                    RingMember {
                        number: "201".to_owned(),
                        ring_seconds: 25,
                    },
                ],
                final_destination: Some(Destination::Hangup),
            },
        )
        .expect("group");
    let hours = store
        .save_schedule(&Schedule {
            id: 0,
            name: "Office".to_owned(),
            time_zone: "Europe/London".to_owned(),
            periods: Vec::new(),
            holidays: Vec::new(),
            open: Destination::RingGroup("600".to_owned()),
            closed: Destination::Voicemail("600".to_owned()),
        })
        .expect("schedule");
    store
        .save_business_name(&common::business_name(
            "sales.acme",
            "+442071234567",
            Some(trunk),
            Destination::Hours(hours),
        ))
        .expect("name");
    store
        .save_outbound_routes(&[OutboundRoute {
            id: 0,
            name: "All".to_owned(),
            patterns: vec!["0.".to_owned()],
            strip: 1,
            prepend: "+44".to_owned(),
            trunks: vec![trunk],
        }])
        .expect("routes");
    store.set_outbound_allowed("203", true).expect("allow 203");
    store.set_outbound_allowed("201", true).expect("allow 201");

    let plan = store.load_dial_plan().expect("plan");
    assert_eq!(plan.trunks, store.trunks().expect("trunks"));
    assert_eq!(plan.trunks.len(), 1);
    assert_eq!(plan.names, store.business_names().expect("names"));
    assert_eq!(plan.names[0].destination, Destination::Hours(hours));
    assert_eq!(plan.ring_groups, store.ring_groups().expect("groups"));
    assert_eq!(plan.ring_groups[0].members[0].number, "202");
    assert_eq!(plan.schedules, store.schedules().expect("schedules"));
    assert_eq!(
        plan.outbound_routes,
        store.outbound_routes().expect("routes")
    );
    assert_eq!(plan.outbound_routes[0].trunks, [trunk]);
    assert_eq!(plan.outbound_allowed, ["201", "203"]);
    assert_eq!(plan.emergency_numbers, DEFAULT_EMERGENCY_NUMBERS);
}

#[test]
fn outbound_permission_can_be_taken_back_and_needs_an_existing_extension() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    store.set_outbound_allowed("201", true).expect("allow");
    assert!(
        store
            .extension("201")
            .expect("read")
            .expect("exists")
            .outbound_allowed
    );
    store.set_outbound_allowed("201", false).expect("forbid");
    assert!(store
        .load_dial_plan()
        .expect("plan")
        .outbound_allowed
        .is_empty());
    assert!(matches!(
        store.set_outbound_allowed("299", true),
        Err(store::Error::ExtensionNotFound(n)) if n == "299"
    ));
}

#[test]
fn emergency_numbers_are_saved_and_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(
            store.emergency_numbers().expect("defaults"),
            DEFAULT_EMERGENCY_NUMBERS
        );
        store
            .set_emergency_numbers(&["112".to_owned(), "+4999".to_owned()])
            .expect("save");
        let err = store
            .set_emergency_numbers(&["112; drop".to_owned()])
            .expect_err("not a number");
        assert!(err
            .validation()
            .and_then(|v| v.get("emergency_numbers"))
            .is_some());
        assert!(
            store.set_emergency_numbers(&[]).is_err(),
            "an empty list is refused"
        );
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.emergency_numbers().expect("saved"), ["112", "+4999"]);
    assert_eq!(
        store.load_dial_plan().expect("plan").emergency_numbers,
        ["112", "+4999"]
    );
    // Other settings are unaffected by rows they do not know.
    assert_eq!(
        store.settings().expect("settings"),
        store::Settings::default()
    );
}

#[test]
fn the_setup_flag_starts_false_and_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        assert!(!store.setup_complete().expect("flag"));
        store.set_setup_complete(true).expect("complete");
        assert!(store.setup_complete().expect("flag"));
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert!(store.setup_complete().expect("flag"));
    store.set_setup_complete(false).expect("run again");
    assert!(!store.setup_complete().expect("flag"));
}
