//! The tray's status line, in words: "3 phones registered · 1 call".

/// What the tray shows for the PBX's current counts.
pub fn status_line(status: engine::Status) -> String {
    let phones = match status.registered_phones {
        0 => "No phones registered".to_owned(),
        1 => "1 phone registered".to_owned(),
        n => format!("{n} phones registered"),
    };
    match status.live_calls {
        0 => phones,
        1 => format!("{phones} · 1 call"),
        n => format!("{phones} · {n} calls"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(registered_phones: usize, live_calls: usize) -> String {
        status_line(engine::Status {
            registered_phones,
            live_calls,
        })
    }

    #[test]
    fn counts_phones_in_words() {
        assert_eq!(line(0, 0), "No phones registered");
        assert_eq!(line(1, 0), "1 phone registered");
        assert_eq!(line(3, 0), "3 phones registered");
    }

    #[test]
    fn mentions_calls_only_while_there_are_some() {
        assert_eq!(line(2, 1), "2 phones registered · 1 call");
        assert_eq!(line(4, 2), "4 phones registered · 2 calls");
    }
}
