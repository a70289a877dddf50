//! E-mail: intake (mail in: the pipe, the SMTP listener, IMAP polling, one ingest step).
//! Parsing itself is the pure `ventanilla-mail` crate.

pub mod intake;
