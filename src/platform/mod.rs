//! The only place with `cfg(target_os)`: paths, secret store, login item, notifications and
//! dialogs, each a small trait or function with one implementation per OS.

mod paths;

pub use paths::config_dir;
