//! The README's examples run as tests, so it cannot drift from what provdiag does.
