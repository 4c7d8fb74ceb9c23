//! Whose usage a row is: the API key and the project it was made with, when the usage
//! endpoints were asked to group by them (whenever more than one key can be in the figure,
//! `openai::scope::many_keys`). A row asked without that grouping has no owner; a row asked
//! with it whose `api_key_id` is null is usage made without an API key ("No key").

use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Owner {
    /// `None`: not grouped by key, or usage without a key.
    pub api_key_id: Option<Arc<str>>,
    pub project_id: Option<Arc<str>>,
}

impl Owner {
    pub fn new(api_key_id: Option<Arc<str>>, project_id: Option<Arc<str>>) -> Owner {
        Owner {
            api_key_id,
            project_id,
        }
    }
}
