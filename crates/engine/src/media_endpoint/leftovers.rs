//! Messages a crash interrupted. A message is written as `.<name>.part` and renamed only
//! once complete and fsynced, and its row is inserted after that; a `.part` file at start
//! therefore belongs to a message whose caller was still talking, and whose details
//! (mailbox, caller) were never saved. Without them it cannot be listed, so it is removed.

use std::path::Path;

/// Removes the leftover temporary files in `dir` (a missing folder has none); returns how
/// many there were.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let leftover = name
            .to_str()
            .is_some_and(|n| n.starts_with('.') && n.ends_with(".part"));
        if leftover && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
