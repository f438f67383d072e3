//! Business names read back as saved; an import saves every entry or, when one is refused,
//! none, and says which entry it was.

use pbx::dialplan::Destination;
use store::Error;

mod common;

fn ext(n: &str) -> Destination {
    Destination::Extension(n.to_owned())
}

#[test]
fn a_business_name_reads_back_as_saved_and_can_be_edited() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    let trunk = store
        .save_trunk(&common::ip_trunk("Provider"))
        .expect("trunk");
    let mut name = common::business_name("sales.acme", "+44 20 7123 4567", Some(trunk), ext("201"));
    name.id = store.save_business_name(&name).expect("save");
    assert_ne!(name.id, 0);
    assert_eq!(store.business_names().expect("list"), vec![name.clone()]);

    name.destination = ext("202");
    name.label = "Sales team".to_owned();
    name.trunk = None;
    assert_eq!(store.save_business_name(&name).expect("edit"), name.id);
    assert_eq!(store.business_names().expect("list"), vec![name]);
}

#[test]
fn an_import_returns_ids_in_order_and_lists_names_alphabetically() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let names = [
        common::business_name("support.acme", "+442071234568", None, ext("201")),
        common::business_name("sales.acme", "+442071234567", None, Destination::Hangup),
    ];
    let ids = store.import_business_names(&names).expect("import");
    assert_eq!(ids.len(), 2);
    let listed = store.business_names().expect("list");
    let listed_names: Vec<&str> = listed.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(listed_names, ["sales.acme", "support.acme"]);
    assert_eq!(listed[1].id, ids[0], "support.acme was the first entry");
    assert_eq!(listed[0].id, ids[1]);
}

#[test]
fn a_bad_entry_leaves_nothing_imported_and_is_named() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let existing = common::business_name("old.acme", "+441", None, ext("201"));
    store.save_business_name(&existing).expect("existing name");

    let names = [
        common::business_name("sales.acme", "+442071234567", None, ext("201")),
        common::business_name("support.acme", "+442071234568", None, ext("201")),
        // The third entry rings an extension that does not exist.
        common::business_name("stephen.acme", "+442071234569", None, ext("299")),
    ];
    match store.import_business_names(&names) {
        Err(Error::Entry { index, source }) => {
            assert_eq!(index, 2);
            assert!(source.to_string().contains("299"), "{source}");
        }
        other => panic!("expected an entry error, got {other:?}"),
    }
    let listed = store.business_names().expect("list");
    assert_eq!(listed.len(), 1, "only the name saved before the import");
    assert_eq!(listed[0].name, "old.acme");
}

#[test]
fn a_name_taken_twice_in_one_import_rolls_the_import_back() {
    let (_dir, store) = common::store();
    let names = [
        common::business_name("sales.acme", "+442071234567", None, Destination::Hangup),
        common::business_name("sales.acme", "+442071234599", None, Destination::Hangup),
    ];
    let err = store.import_business_names(&names).expect_err("duplicate");
    assert!(matches!(err, Error::Entry { index: 1, .. }), "{err}");
    assert!(err.to_string().contains("already taken"), "{err}");
    assert!(store.business_names().expect("list").is_empty());
}

#[test]
fn an_unknown_trunk_and_empty_fields_are_refused() {
    let (_dir, store) = common::store();
    let unknown_trunk = common::business_name("sales.acme", "+44", Some(9), Destination::Hangup);
    let err = store
        .save_business_name(&unknown_trunk)
        .expect_err("no trunk 9");
    assert!(
        err.validation().and_then(|v| v.get("trunk")).is_some(),
        "{err}"
    );

    let no_number = common::business_name("sales.acme", "  ", None, Destination::Hangup);
    let err = store
        .save_business_name(&no_number)
        .expect_err("empty number");
    assert!(
        err.validation().and_then(|v| v.get("number")).is_some(),
        "{err}"
    );

    let no_name = common::business_name(" ", "+44", None, Destination::Hangup);
    let err = store.save_business_name(&no_name).expect_err("empty name");
    assert!(
        err.validation().and_then(|v| v.get("name")).is_some(),
        "{err}"
    );
    assert!(store.business_names().expect("list").is_empty());
}

#[test]
fn removing_a_business_name_deletes_only_it() {
    let (_dir, store) = common::store();
    let ids = store
        .import_business_names(&[
            common::business_name("a.acme", "+1", None, Destination::Hangup),
            common::business_name("b.acme", "+2", None, Destination::Hangup),
        ])
        .expect("import");
    store.remove_business_name(ids[0]).expect("remove");
    let listed = store.business_names().expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "b.acme");
    assert!(matches!(
        store.remove_business_name(ids[0]),
        Err(Error::NotFound(_))
    ));
}
