//! The facts about one provisioning operation, and where they were read.

use std::sync::Arc;

use crate::okta::{Event, Named};

/// Where a record starts: the input's name (a path, `-` for stdin, `--message` for `-m`) and its 1-based line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub path: Arc<str>,
    pub line: u64,
}

/// The facts about one provisioning operation (a failure, or the success that may resolve one), as far as
/// the input tells them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    pub user: Option<String>,
    pub login: Option<String>,
    /// The Okta id of the user (the `User` or `AppUser` target's `id`), when the input carries it.
    pub user_id: Option<String>,
    pub app: Option<String>,
    /// The Okta id of the app instance (the `AppInstance` target's `id`), when the input carries it.
    pub app_id: Option<String>,
    pub reason: Option<String>,
    pub event_type: Option<String>,
    pub uuid: Option<String>,
    pub published: Option<String>,
}

impl Finding {
    /// The finding of an event read at `source`: who and what it names.
    pub fn of_event(event: &Event, source: Source) -> Self {
        let Named {
            user,
            login,
            user_id,
            app,
            app_id,
            reason,
            event_type,
            uuid,
            published,
        } = event.named();
        Finding {
            source,
            user,
            login,
            user_id,
            app,
            app_id,
            reason,
            event_type,
            uuid,
            published,
        }
    }
}
