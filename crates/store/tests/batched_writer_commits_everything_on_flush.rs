//! Registration changes queued on the writer are all on disk once `flush` returns, in order,
//! with repeated refreshes of one binding folded together.

mod common;

use common::binding;
use store::Store;

const NOW: i64 = 1_700_000_000;

fn store_with(extensions: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    for n in extensions {
        store
            .create_extension(n, "Someone", "switchboard", NOW)
            .expect("create");
    }
    (dir, store)
}

#[test]
fn many_upserts_are_all_visible_after_flush() {
    let (_dir, store) = store_with(&["201", "202"]);
    let writer = store.binding_writer().expect("writer");
    for i in 0..2000 {
        let ext = if i % 2 == 0 { "201" } else { "202" };
        let contact = format!("sip:{ext}@198.51.100.{}:5060", (i / 2) % 250);
        let mut b = binding(ext, &contact, NOW + 3600 + i);
        b.cseq = i as u32;
        writer.upsert(b).expect("queue");
    }
    writer.flush().expect("flush");
    // Reads go through the other connection: what they see is committed.
    let live = store.load_live_bindings(NOW).expect("load");
    assert_eq!(live.len(), 500, "250 distinct contacts per extension");
    // The last refresh of each contact wins.
    let last = live
        .iter()
        .find(|b| b.extension == "201" && b.contact == "sip:201@198.51.100.0:5060")
        .expect("binding present");
    assert_eq!(last.cseq, 1500);
    assert_eq!(last.expires_at, NOW + 3600 + 1500);
}

#[test]
fn changes_apply_in_the_order_they_were_queued() {
    let (_dir, store) = store_with(&["201"]);
    let writer = store.binding_writer().expect("writer");
    writer
        .upsert(binding("201", "sip:201@a", NOW + 60))
        .expect("queue");
    writer
        .upsert(binding("201", "sip:201@b", NOW + 60))
        .expect("queue");
    writer.remove_all("201").expect("queue");
    writer
        .upsert(binding("201", "sip:201@c", NOW + 60))
        .expect("queue");
    writer.remove("201", "sip:201@c").expect("queue");
    writer
        .upsert(binding("201", "sip:201@d", NOW + 60))
        .expect("queue");
    // A refresh after a purge must survive it.
    writer
        .upsert(binding("201", "sip:201@e", NOW - 10))
        .expect("queue");
    writer.purge_expired(NOW).expect("queue");
    writer
        .upsert(binding("201", "sip:201@e", NOW + 60))
        .expect("queue");
    writer.flush().expect("flush");
    let contacts: Vec<String> = store
        .bindings("201")
        .expect("list")
        .into_iter()
        .map(|b| b.contact)
        .collect();
    assert_eq!(contacts, ["sip:201@d", "sip:201@e"]);
}

#[test]
fn dropping_the_writer_commits_what_was_queued() {
    let (_dir, store) = store_with(&["201"]);
    let writer = store.binding_writer().expect("writer");
    for i in 0..50 {
        writer
            .upsert(binding("201", &format!("sip:201@h{i}"), NOW + 60))
            .expect("queue");
    }
    drop(writer);
    assert_eq!(store.bindings("201").expect("list").len(), 50);
}

#[test]
fn a_binding_for_an_unknown_extension_is_dropped_without_losing_the_batch() {
    let (_dir, store) = store_with(&["201"]);
    let writer = store.binding_writer().expect("writer");
    writer
        .upsert(binding("999", "sip:999@x", NOW + 60))
        .expect("queue");
    writer
        .upsert(binding("201", "sip:201@x", NOW + 60))
        .expect("queue");
    writer.flush().expect("flush");
    assert!(store.bindings("999").expect("list").is_empty());
    assert_eq!(store.bindings("201").expect("list").len(), 1);
}

#[test]
fn the_instance_id_identifies_a_device_across_contact_changes() {
    let (_dir, store) = store_with(&["201"]);
    let writer = store.binding_writer().expect("writer");
    let instance = Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".to_owned());
    let mut first = binding("201", "sip:201@10.0.0.5:5060", NOW + 60);
    first.instance = instance.clone();
    writer.upsert(first).expect("queue");
    writer.flush().expect("flush");
    let mut moved = binding("201", "sip:201@10.0.0.6:5062", NOW + 120);
    moved.instance = instance;
    writer.upsert(moved.clone()).expect("queue");
    writer.flush().expect("flush");
    assert_eq!(store.bindings("201").expect("list"), vec![moved]);
}

#[test]
fn flush_from_another_thread_works_while_changes_stream_in() {
    let (_dir, store) = store_with(&["201"]);
    let writer = std::sync::Arc::new(store.binding_writer().expect("writer"));
    let producer = {
        let writer = writer.clone();
        std::thread::spawn(move || {
            for i in 0..300 {
                writer
                    .upsert(binding("201", &format!("sip:201@p{i}"), NOW + 60))
                    .expect("queue");
            }
            writer.flush().expect("producer flush");
        })
    };
    producer.join().expect("producer thread");
    writer.flush().expect("flush");
    assert_eq!(store.bindings("201").expect("list").len(), 300);
}
