//! Inbound mail end to end on a real database: the ingest step (store first, dedupe,
//! threading, loop protection, sender policy), the field reports of issue #11, the SMTP
//! listener driven by Debian's swaks, an outage while mail arrives, and IMAP polling of a
//! throwaway Dovecot.

#![allow(clippy::unwrap_used)]

mod imap;
mod ingest;
mod outage;
mod smtp;
mod support;
