//! A park slot or a number is announced key by key ("star" "seven" "one"), and every
//! word it uses is a shipped prompt that loads.

use media::wav_prompts::Prompt;

#[test]
fn a_park_slot_is_said_star_then_its_digits() {
    let words = Prompt::digits("*71");
    let names: Vec<&str> = words.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["star", "num-7", "num-1"]);
}

#[test]
fn hash_is_said_and_other_characters_are_skipped() {
    let names: Vec<&str> = Prompt::digits("2 0-1#x").iter().map(|p| p.name()).collect();
    assert_eq!(names, ["num-2", "num-0", "num-1", "hash"]);
}

#[test]
fn every_key_word_loads_at_8_khz() {
    for prompt in Prompt::digits("0123456789*#") {
        let clip = prompt.load(8_000).unwrap();
        assert!(!clip.samples().is_empty(), "{} is empty", prompt.name());
    }
}
