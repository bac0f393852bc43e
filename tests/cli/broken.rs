//! Bad input never loses data and never crashes provdiag.
