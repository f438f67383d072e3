//! Whatever the text, the dial plan's parsers answer instead of panicking, and their
//! answers keep the promises other code relies on.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use pbx::dialplan::{
    default_label, is_dialable, normalize_number, parse_allowed, parse_name_list, pattern_matches,
    AddressRule, Destination, Schedule,
};
use proptest::prelude::*;

fn schedule(time_zone: String) -> Schedule {
    Schedule {
        id: 1,
        name: "Hours".into(),
        time_zone,
        periods: Vec::new(),
        holidays: Vec::new(),
        open: Destination::Hangup,
        closed: Destination::Hangup,
    }
}

proptest! {
    #[test]
    fn normalising_twice_changes_nothing(s in "\\PC{0,30}") {
        let once = normalize_number(&s);
        prop_assert_eq!(normalize_number(&once), once.clone());
        prop_assert!(!once.starts_with("00"));
    }

    #[test]
    fn typed_numbers_normalise_to_dialable_ones(s in "[+]?[0-9][0-9 ().\\-/]{0,20}") {
        prop_assert!(is_dialable(&normalize_number(&s)));
    }

    #[test]
    fn a_dialable_number_is_its_own_pattern(n in "[0-9+*#]{1,15}") {
        prop_assert!(pattern_matches(&n, &n));
        prop_assert!(pattern_matches(".", &n));
        let zero_or_more = format!("{n}!");
        let one_or_more = format!("{n}.");
        prop_assert!(pattern_matches(&zero_or_more, &n));
        prop_assert!(!pattern_matches(&one_or_more, &n));
    }

    #[test]
    fn any_pattern_and_number_get_an_answer(p in "\\PC{0,12}", n in "\\PC{0,12}") {
        if pattern_matches(&p, &n) {
            prop_assert!(p.trim().chars().all(|c| "0123456789+*#XxZzNn[]-.!_".contains(c)));
        }
    }

    #[test]
    fn address_rules_print_as_they_parse(bits in any::<u32>(), prefix in 0u8..=32, v6 in any::<u128>(), prefix6 in 0u8..=128, port in 1u16..) {
        for text in [
            format!("{}/{}", Ipv4Addr::from(bits), prefix),
            format!("{}/{}", Ipv6Addr::from(v6), prefix6),
            SocketAddr::new(IpAddr::V4(Ipv4Addr::from(bits)), port).to_string(),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::from(v6)), port).to_string(),
        ] {
            let rule: AddressRule = text.parse().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
            let again: AddressRule = rule.to_string().parse().map_err(|e| TestCaseError::fail(format!("{rule}: {e}")))?;
            prop_assert_eq!(again, rule);
        }
    }

    #[test]
    fn a_range_matches_its_own_network_address(bits in any::<u32>(), prefix in 0u8..=32, port in 1u16..) {
        let rule: AddressRule = format!("{}/{}", Ipv4Addr::from(bits), prefix).parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(rule.matches(SocketAddr::new(IpAddr::V4(Ipv4Addr::from(bits)), port)));
    }

    #[test]
    fn any_allowed_entry_gets_an_answer(s in "\\PC{0,40}") {
        if let Ok(pbx::dialplan::AllowedEntry::Rule(rule)) = parse_allowed(&s) {
            prop_assert_eq!(Ok(rule), rule.to_string().parse::<AddressRule>());
        }
    }

    #[test]
    fn name_list_errors_point_at_real_lines(text in "(\\PC{0,30}\n){0,6}") {
        let lines = text.lines().count();
        match parse_name_list(&text) {
            Ok(entries) => prop_assert!(entries.len() <= lines),
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                prop_assert!(errors.iter().all(|e| e.line >= 1 && e.line <= lines));
                prop_assert!(errors.windows(2).all(|w| w[0].line < w[1].line));
            }
        }
    }

    #[test]
    fn labels_are_one_part_without_separators(s in "\\PC{0,20}") {
        let label = default_label(&s);
        prop_assert!(!label.contains(['.', '_', '-']));
        prop_assert_eq!(label.trim(), label.as_str());
    }

    #[test]
    fn hours_answer_for_any_instant_and_zone(t in any::<i64>(), zone in "[A-Za-z/_+\\-0-9]{0,20}") {
        let _ = schedule(zone).is_open(t);
        let london = schedule("Europe/London".into()).is_open(t);
        let in_range = (-377_705_116_800i64..=253_402_207_200).contains(&t);
        prop_assert!(london.is_ok() || !in_range);
    }
}
