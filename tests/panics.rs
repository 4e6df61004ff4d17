//! Contained panics (`model::panics::contain`) on several threads at once:
//! each contained section gets its own error and prints nothing, while a
//! panic outside any section, at the same moment, still reaches the hook
//! that was installed before. One test: the panic hook is process-wide.

use payrun::model::panics::contain;
use std::sync::{Arc, Barrier, Mutex};

#[test]
fn contained_panics_on_many_threads_leave_other_panics_to_the_previous_hook() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        record.lock().unwrap().push(text);
    }));

    const READERS: usize = 6;
    // Every reader is inside its section before the outside panic happens,
    // and stays there until it has happened.
    let inside = Arc::new(Barrier::new(READERS + 1));
    let outside_done = Arc::new(Barrier::new(READERS + 1));
    let readers: Vec<_> = (0..READERS)
        .map(|i| {
            let (inside, outside_done) = (Arc::clone(&inside), Arc::clone(&outside_done));
            std::thread::spawn(move || {
                contain(|| -> u32 {
                    inside.wait();
                    outside_done.wait();
                    if i % 2 == 0 {
                        panic!("damaged file {i}");
                    }
                    i as u32
                })
            })
        })
        .collect();
    inside.wait();
    let outside = std::thread::spawn(|| panic!("outside a contained section"));
    assert!(outside.join().is_err());
    outside_done.wait();
    for (i, reader) in readers.into_iter().enumerate() {
        let result = reader.join().unwrap();
        if i % 2 == 0 {
            assert_eq!(result, Err(format!("damaged file {i}")));
        } else {
            assert_eq!(result, Ok(i as u32));
        }
    }
    // After every section has ended the previous hook hears panics again.
    assert!(std::thread::spawn(|| panic!("after")).join().is_err());
    let _ = std::panic::take_hook();
    assert_eq!(*seen.lock().unwrap(), ["outside a contained section", "after"]);
}
