//! Always-on recording of calls from the provider: a call to sales.acme is recorded when
//! the business name has the flag (named as the trigger before the group it rings), and
//! when only the Sales group it leads to has it; with neither, it is not recorded.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use pbx::dialplan::{Destination, RingStrategy};
use pbx::{Action, AlwaysRecord, RecordingInfo, RecordingTrigger};
use support::trunk_office::{group, provider, sales_plan, JANE, SALES_NUMBER};
use support::{alice, CallState, World};

const PROVIDER: usize = 0;
const ALICE: usize = 1;

fn started(w: &World) -> Vec<RecordingInfo> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::RecordStart { info, .. } => Some((**info).clone()),
            _ => None,
        })
        .collect()
}

/// Jane calls sales.acme (→ group 600: Alice); Alice answers. The recordings started.
fn answered_sales_call(seed: u64, always: AlwaysRecord) -> Vec<RecordingInfo> {
    let mut w = World::lan(seed);
    w.add(provider(seed + 1));
    w.add(alice(seed + 2));
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    let mut plan = sales_plan(2, Destination::RingGroup("600".into()));
    plan.ring_groups = vec![group("600", RingStrategy::All, &[("100", 20)], None)];
    w.install(plan);
    w.pbx.set_always_record(always);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[ALICE].incoming(0).expect("Alice rings");
    w.with(ALICE, |p, now| p.answer(now, incoming));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.phones[PROVIDER].calls[call].state == CallState::Confirmed
    }));
    w.flush();
    started(&w)
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_business_name_flag_records_and_names_itself() {
    let infos = answered_sales_call(
        400,
        AlwaysRecord {
            business_names: set(&["sales.acme"]),
            ring_groups: set(&["600"]),
            ..AlwaysRecord::default()
        },
    );
    assert_eq!(infos.len(), 1, "{infos:?}");
    assert_eq!(
        infos[0].trigger,
        RecordingTrigger::BusinessName("sales.acme".into())
    );
    assert_eq!(infos[0].caller, JANE);
    assert_eq!(infos[0].callee, "100");
}

#[test]
fn the_group_a_business_name_leads_to_records_it_too() {
    let infos = answered_sales_call(
        410,
        AlwaysRecord {
            ring_groups: set(&["600"]),
            ..AlwaysRecord::default()
        },
    );
    assert_eq!(infos.len(), 1, "{infos:?}");
    assert_eq!(infos[0].trigger, RecordingTrigger::RingGroup("600".into()));
}

#[test]
fn without_a_flag_the_providers_call_is_not_recorded() {
    let infos = answered_sales_call(
        420,
        AlwaysRecord {
            business_names: set(&["support.acme"]),
            ..AlwaysRecord::default()
        },
    );
    assert!(infos.is_empty(), "{infos:?}");
}
