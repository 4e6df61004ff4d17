//! Panics contained in a third-party reader or writer (calamine on a damaged
//! file, rust_xlsxwriter on a full disk) become errors, without the panic
//! hook printing a backtrace for them. The hook is wrapped once per process
//! and is quiet only on a thread that is inside [`contain`]; any other panic
//! goes to the hook that was there before. Swapping the hook around each
//! call would race when a batch reads or writes several organisations at
//! once: one thread could restore the hook while another is inside its
//! section, or leave the quiet hook installed for good.

use std::cell::Cell;
use std::sync::Once;

thread_local! {
    /// How many [`contain`] sections this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// Runs `f`; a panic inside it (on this thread) is returned as its message
/// instead of unwinding further, and prints nothing.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// Whether this thread is inside a [`contain`] section.
fn contained() -> bool {
    DEPTH.try_with(|d| d.get() > 0).unwrap_or(false)
}

/// Wraps the current hook, once: quiet inside [`contain`], the previous hook
/// everywhere else.
fn install_quiet_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !contained() {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_its_message_and_a_value_passes_through() {
        assert_eq!(contain(|| 7), Ok(7));
        assert_eq!(contain(|| -> u8 { panic!("damaged {}", 3) }), Err("damaged 3".to_string()));
        assert_eq!(contain(|| -> u8 { std::panic::panic_any(5u8) }), Err(String::new()));
        // Nested sections: the outer one is still quiet after the inner ends.
        let outer = contain(|| {
            assert!(contain(|| -> u8 { panic!("inner") }).is_err());
            assert!(contained());
            panic!("outer")
        });
        assert_eq!(outer, Err::<(), _>("outer".to_string()));
        assert!(!contained());
    }
}
