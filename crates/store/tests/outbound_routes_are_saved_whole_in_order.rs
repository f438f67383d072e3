//! Outbound routes are saved as one ordered list: the order, each route's trunk order and
//! its patterns read back as given; a refused entry leaves the previous list in place.

use pbx::dialplan::OutboundRoute;
use store::Error;

mod common;

fn route(name: &str, patterns: &[&str], trunks: &[i64]) -> OutboundRoute {
    OutboundRoute {
        id: 0,
        name: name.to_owned(),
        patterns: patterns.iter().map(|p| (*p).to_owned()).collect(),
        strip: 1,
        prepend: "+44".to_owned(),
        trunks: trunks.to_vec(),
    }
}

#[test]
fn routes_and_their_trunks_read_back_in_order() {
    let (_dir, store) = common::store();
    let a = store.save_trunk(&common::ip_trunk("A")).expect("trunk a");
    let b = store.save_trunk(&common::ip_trunk("B")).expect("trunk b");
    let mut routes = vec![
        route("UK mobiles", &["07XXXXXXXXX", "+447."], &[b, a]),
        route("Anything", &["0.", "+!"], &[a]),
        route("Premium", &["09."], &[]),
    ];
    let ids = store.save_outbound_routes(&routes).expect("save");
    for (r, id) in routes.iter_mut().zip(&ids) {
        r.id = *id;
    }
    assert_eq!(store.outbound_routes().expect("list"), routes);

    // Reordered and one dropped: the list is replaced, ids kept.
    let reordered = vec![routes[2].clone(), routes[0].clone()];
    let ids = store.save_outbound_routes(&reordered).expect("save again");
    assert_eq!(ids, [routes[2].id, routes[0].id]);
    assert_eq!(store.outbound_routes().expect("list"), reordered);
}

#[test]
fn a_route_through_an_unknown_trunk_leaves_the_old_list() {
    let (_dir, store) = common::store();
    let a = store.save_trunk(&common::ip_trunk("A")).expect("trunk");
    store
        .save_outbound_routes(&[route("Old", &["0."], &[a])])
        .expect("save");
    let before = store.outbound_routes().expect("list");
    let err = store
        .save_outbound_routes(&[route("New", &["0."], &[a]), route("Bad", &["1."], &[a, 99])])
        .expect_err("unknown trunk");
    match &err {
        Error::Entry { index, source } => {
            assert_eq!(*index, 1);
            assert!(source.to_string().contains("99"), "{source}");
        }
        other => panic!("expected an entry error, got {other}"),
    }
    assert_eq!(store.outbound_routes().expect("list"), before);
}

#[test]
fn the_same_id_twice_is_refused() {
    let (_dir, store) = common::store();
    let ids = store
        .save_outbound_routes(&[route("One", &["0."], &[])])
        .expect("save");
    let mut one = route("One", &["0."], &[]);
    one.id = ids[0];
    let err = store
        .save_outbound_routes(&[one.clone(), one])
        .expect_err("twice");
    assert!(matches!(err, Error::Entry { index: 1, .. }), "{err}");
    assert_eq!(store.outbound_routes().expect("list").len(), 1);
}

#[test]
fn an_empty_list_removes_every_route() {
    let (_dir, store) = common::store();
    store
        .save_outbound_routes(&[route("One", &["0."], &[])])
        .expect("save");
    store.save_outbound_routes(&[]).expect("clear");
    assert!(store.outbound_routes().expect("list").is_empty());
}
