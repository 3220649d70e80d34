//! End-to-end tests live in `tests/`: whole flows through the local server over HTTP, and the
//! tenant-isolation matrix over every route.
