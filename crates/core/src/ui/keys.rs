//! A project API key as the user picks it and as the views name it: the Track menu, the key
//! rows of tables and text lines, the By key and By project sections. Its own module so that
//! the tables and the menu both use it without one importing the other.

/// A project API key the user can pick.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyChoice {
    pub id: String,
    pub name: Option<String>,
    /// The project's name (its id when it has none).
    pub project: String,
    /// The project's id: the By project rows' names.
    pub project_id: String,
    /// When the key was last used (unix seconds; `None`: never): the dormant keys.
    pub last_used_at: Option<i64>,
}
