//! Conference rooms: a number no extension or ring group has, a hashed PIN that only the
//! right digits match, and no removal while a business name leads to the room.

use pbx::dialplan::Destination;
use store::{verify_room_pin, Error, PinChange};

mod common;

#[test]
fn a_room_number_is_its_own() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let err = store
        .create_conference_room("201", "Board", None)
        .expect_err("extension's number");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
    store.create_conference_room("800", "Board", None).unwrap();
    let err = store
        .create_conference_room("800", "Other", None)
        .expect_err("taken twice");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
    let Err(err) = store.create_extension("800", "Ann", "office", 0) else {
        panic!("extension on a room's number");
    };
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
    let err = store
        .create_conference_room("8a", "Bad", None)
        .expect_err("not digits");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );
}

#[test]
fn the_pin_is_stored_hashed_and_checked() {
    let (_dir, store) = common::store();
    // Too short or long, not digits, and the ones a stranger tries first: one digit
    // repeated, runs up or down the keypad, the room number itself.
    for pin in [
        "",
        "12",
        "999",
        "12345678901",
        "12a",
        "0000",
        "1234",
        "98765",
    ] {
        let err = store
            .create_conference_room("800", "Board", Some(pin))
            .expect_err(pin);
        assert!(
            err.validation().and_then(|v| v.get("pin")).is_some(),
            "{pin}"
        );
    }
    for own in ["5827", "7285"] {
        let err = store
            .create_conference_room("5827", "Team", Some(own))
            .expect_err(own);
        assert!(
            err.validation().and_then(|v| v.get("pin")).is_some(),
            "{own}"
        );
    }
    let room = store
        .create_conference_room("800", "Board", Some("4711"))
        .unwrap();
    assert!(room.has_pin);
    let access = store.conference_room_access().unwrap();
    let hash = access[0].pin_hash.clone().expect("hash stored");
    assert!(!hash.contains("4711"));
    assert!(verify_room_pin(&hash, "4711"));
    assert!(!verify_room_pin(&hash, "4712"));
    assert!(!verify_room_pin("not a hash", "4711"));

    let room = store
        .edit_conference_room("800", " Board room ", &PinChange::Keep)
        .unwrap();
    assert_eq!(room.name, "Board room");
    assert!(room.has_pin);
    let room = store
        .edit_conference_room("800", "Board room", &PinChange::Remove)
        .unwrap();
    assert!(!room.has_pin);
    assert_eq!(store.conference_room_access().unwrap()[0].pin_hash, None);
    let room = store
        .edit_conference_room("800", "Board room", &PinChange::Set("9371".into()))
        .unwrap();
    assert!(room.has_pin);
    assert_eq!(store.conference_rooms().unwrap(), vec![room]);
}

#[test]
fn a_room_a_business_name_leads_to_is_not_removed() {
    let (_dir, store) = common::store();
    store.create_conference_room("800", "Board", None).unwrap();
    store.create_conference_room("801", "Spare", None).unwrap();
    let name = common::business_name(
        "conference.acme",
        "+442071234571",
        None,
        Destination::Conference("800".into()),
    );
    store.save_business_name(&name).unwrap();
    let err = store.remove_conference_room("800").expect_err("in use");
    assert!(matches!(err, Error::InUse { .. }), "{err}");
    store.remove_conference_room("801").unwrap();
    assert_eq!(store.conference_rooms().unwrap().len(), 1);
    assert!(matches!(
        store.remove_conference_room("801"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn a_destination_naming_no_room_is_refused() {
    let (_dir, store) = common::store();
    let name = common::business_name(
        "conference.acme",
        "+442071234571",
        None,
        Destination::Conference("800".into()),
    );
    let err = store.save_business_name(&name).expect_err("no room 800");
    let message = err
        .validation()
        .and_then(|v| v.get("destination"))
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("no conference room 800"), "{err}");
    store.create_conference_room("800", "Board", None).unwrap();
    store.save_business_name(&name).unwrap();
}
