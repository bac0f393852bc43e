//! The rules stage: the rule table as data, split by job. `schema` is the JSON shape (shared by the
//! built-in table, `--rules FILE` and `rules --format json`), `validate` checks a file against it,
//! `matcher` compiles the patterns and decides which rule a failure lands on, `table` holds the rules in
//! precedence order and is what the stages above ask, and `lookup` finds a cause as people type it.

mod diagnose;
mod lookup;
mod matcher;
mod schema;
mod table;
mod validate;

pub use diagnose::Diagnosis;
pub use lookup::{builtin_ids, nearest, normalize_id};
pub use schema::{
    builtin_text, AppSource, Examples, Fallbacks, OperationFallback, OperationSteps, OtherCause, RetiredId,
    Rule, RuleFile, ScimFallback, StatusFallback,
};
pub use table::{check_file, warnings, RuleTable};
pub use validate::{is_kebab, Problem};
